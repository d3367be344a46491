// Package storetest is the conformance suite of router.Store: the same tests
// run against every adapter (PostgreSQL, SQLite), so the embedded store
// behaves like the production one.
//
// Times round-trip at microsecond precision: a store returns a time
// truncated to the microsecond, in UTC, and compares time ranges at that
// precision too.
package storetest

import (
	"testing"

	"github.com/hexnet/hexnet/router"
)

// Run runs the suite. open must return a new, empty, migrated store for the
// test and arrange to close it when the test ends; subtests run in parallel,
// each on its own store.
func Run(t *testing.T, open func(t *testing.T) router.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s router.Store)
	}{
		{"Devices/CreateGet", testCreateGetDevice},
		{"Devices/Duplicate", testDuplicateDevice},
		{"Devices/Missing", testMissingDevice},
		{"Devices/List", testListDevices},
		{"Devices/Delete", testDeleteDevice},
		{"Devices/Update", testUpdateDevice},
		{"Sessions/SaveGet", testSaveGetSession},
		{"Sessions/Replace", testReplaceSession},
		{"Sessions/Missing", testMissingSession},
		{"Sessions/ByDevAddr", testSessionsByDevAddr},
		{"Sessions/DevNonce", testUseDevNonce},
		{"Sessions/JoinHistory", testJoinHistory},
		{"Time/Precision", testTimePrecision},
		{"Ledger/Traffic", testTraffic},
		{"Ledger/Idempotent", testRecordIdempotent},
		{"Ledger/Boundaries", testTrafficBoundaries},
		{"Ledger/Concurrent", testConcurrentRecord},
		{"Hotspots/Touch", testTouchHotspots},
		{"Hotspots/Empty", testNoHotspots},
	}
	tests = append(tests, manageTests...)
	tests = append(tests, queueTests...)
	tests = append(tests, apiKeyTests...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, open(t))
		})
	}
}
