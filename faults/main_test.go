package faults

import (
	"os"
	"testing"

	"github.com/seira-queue/seira/internal/etcdtest"
)

func TestMain(m *testing.M) {
	etcdtest.RunIfMember()
	runIfInstance()
	os.Exit(m.Run())
}
