package sqlstore_test

import (
	"testing"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/storetest"
)

// TestConformance runs the storetest suite on one migrated database per
// dialect, shared by every subtest (the suite makes its data unique).
func TestConformance(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		s, _ := b.newStore(t)
		storetest.Run(t, func(t *testing.T) fullauth.Store { return s })
	})
}
