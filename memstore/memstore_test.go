package memstore_test

import (
	"testing"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/memstore"
	"github.com/fullauth/fullauth/storetest"
)

func TestStore(t *testing.T) {
	// One store shared by every subtest, the way a database would be.
	shared := memstore.New()
	storetest.Run(t, func(*testing.T) fullauth.Store { return shared })
}

func TestFreshStores(t *testing.T) {
	storetest.Run(t, func(*testing.T) fullauth.Store { return memstore.New() })
}

func TestMemoryKV(t *testing.T) {
	storetest.RunKV(t, func(*testing.T) fullauth.KV { return fullauth.NewMemoryKV() })
}
