package webhook_test

import (
	"testing"

	"github.com/seira-queue/seira/internal/storetest"
)

// TestEtcdConformance runs the worker's tests again with the store on an
// embedded etcd: the outbox is written with its event there too, and
// the worker cannot tell the stores apart. (The API's tests run a whole
// seira on bbolt and are not repeated.)
func TestEtcdConformance(t *testing.T) {
	storetest.RunOnEtcd(t, "^TestEtcdConformance$|^TestWebhookAPI$|^TestSubscribingRefusesPrivateURLs$|^TestSlowReceiverNeverSlowsTheOffice$|^TestGuard|^TestSignature")
}
