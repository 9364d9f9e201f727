package stats

import (
	"testing"

	"github.com/seira-queue/seira/internal/storetest"
)

// TestEtcdConformance runs this package's tests again with the store on an
// embedded etcd.
func TestEtcdConformance(t *testing.T) {
	storetest.RunOnEtcd(t, "^TestEtcdConformance$")
}
