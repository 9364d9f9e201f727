package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"strings"

	"github.com/seira-queue/seira/storage"
)

// storeOpts are the flags that choose the store: bbolt in the data
// directory, or an etcd cluster.
type storeOpts struct {
	store, prefix, ca, cert, key *string
	maxTxnOps                    *int
}

func storeFlags(f *cmdFlags) storeOpts {
	return storeOpts{
		store:     f.String("store", "bolt", "where the state lives: bolt (a file in -data) or etcd://host1:2379,host2:2379,host3:2379 (a cluster; -data then holds only a local mirror)"),
		prefix:    f.String("etcd-prefix", "/seira/", "key prefix of this seira's data in etcd"),
		ca:        f.String("etcd-ca", "", "CA certificate (PEM) that signed etcd's server certificates; turns on TLS"),
		cert:      f.String("etcd-cert", "", "client certificate (PEM) for etcd"),
		key:       f.String("etcd-key", "", "client certificate's key (PEM) for etcd"),
		maxTxnOps: f.Int("etcd-max-txn-ops", 128, "most keys one commit writes: etcd's --max-txn-ops (default 128); raise both together to commit more writes at once"),
	}
}

// resolve returns nil for bbolt, or where the cluster is.
func (o storeOpts) resolve() (*storage.EtcdOptions, error) {
	eo, err := parseStore(*o.store, *o.prefix, *o.ca, *o.cert, *o.key)
	if eo == nil || err != nil {
		return eo, err
	}
	if *o.maxTxnOps < 16 {
		return nil, usageError{fmt.Sprintf("-etcd-max-txn-ops %d: want at least 16", *o.maxTxnOps)}
	}
	eo.MaxTxnOps = *o.maxTxnOps
	return eo, nil
}

func parseStore(store, prefix, ca, cert, key string) (*storage.EtcdOptions, error) {
	if store == "bolt" {
		if ca != "" || cert != "" || key != "" {
			return nil, usageError{"-etcd-ca, -etcd-cert and -etcd-key need -store etcd://…"}
		}
		return nil, nil
	}
	hosts, ok := strings.CutPrefix(store, "etcd://")
	if !ok || hosts == "" {
		return nil, usageError{fmt.Sprintf("-store %q: want bolt or etcd://host:port[,host:port…]", store)}
	}
	if !strings.HasPrefix(prefix, "/") || !strings.HasSuffix(prefix, "/") {
		return nil, usageError{fmt.Sprintf("-etcd-prefix %q: want a prefix that starts and ends with /", prefix)}
	}
	eo := &storage.EtcdOptions{Prefix: prefix}
	scheme := "http://"
	if ca != "" || cert != "" || key != "" {
		cfg, err := etcdTLS(ca, cert, key)
		if err != nil {
			return nil, err
		}
		eo.TLS, scheme = cfg, "https://"
	}
	for h := range strings.SplitSeq(hosts, ",") {
		if h == "" || strings.Contains(h, "/") {
			return nil, usageError{fmt.Sprintf("-store %q: %q is not host:port", store, h)}
		}
		eo.Endpoints = append(eo.Endpoints, scheme+h)
	}
	return eo, nil
}

func etcdTLS(ca, cert, key string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return nil, usageError{"-etcd-ca: " + err.Error()}
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, usageError{"-etcd-ca " + ca + ": no PEM certificate in it"}
		}
	}
	if (cert == "") != (key == "") {
		return nil, usageError{"-etcd-cert and -etcd-key go together"}
	}
	if cert != "" {
		pair, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			return nil, usageError{"-etcd-cert/-etcd-key: " + err.Error()}
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}
