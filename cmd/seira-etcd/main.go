// Command seira-etcd is etcd's own server, built from the etcd module that
// seira is tested with, for operators and benchmarks on machines without
// an etcd binary: `go build -o etcd ./cmd/seira-etcd`. It takes etcd's
// flags unchanged (etcd --help). A packaged etcd of the same major version
// serves as well.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
