package storetest

import (
	"testing"

	"github.com/hexnet/hexnet/oracle"
)

// RunOracle runs the conformance suite of oracle.Store. open must return a
// new, empty, migrated store for the test and arrange to close it when the
// test ends; subtests run in parallel, each on its own store.
func RunOracle(t *testing.T, open func(t *testing.T) oracle.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s oracle.Store)
	}{
		{"Registry/OnboardGetList", testOnboardGetList},
		{"Registry/Duplicate", testDuplicateOnboard},
		{"Registry/Missing", testMissingHotspot},
		{"Registry/Locations", testAssertLocation},
		{"Registry/Denied", testSetDenied},
		{"Registry/Cells", testCells},
		{"Reports/Idempotent", testAddReportsIdempotent},
		{"Reports/ManyIdempotent", testAddManyReports},
		{"Reports/Order", testReportOrder},
		{"Reports/Each", testEachReport},
		{"Reports/OfHotspot", testReportsOfHotspot},
		{"Rounds/SaveReveal", testSaveRound},
		{"Rounds/Latest", testLatestRound},
		{"Rounds/Challenges", testChallenges},
		{"Epochs/Lifecycle", testEpochLifecycle},
		{"Epochs/List", testListEpochs},
		{"Epochs/ManifestVerdicts", testManifestVerdicts},
		{"Epochs/CloseInvalid", testCloseInvalid},
		{"Epochs/JudgedElsewhere", testVerdictJudgedElsewhere},
		{"Epochs/HotspotRewards", testHotspotRewards},
		{"RewardTxs/SaveList", testRewardTxs},
		{"RewardTxs/EpochState", testRewardTxEpochState},
		{"Values/TimePrecision", testOracleTimePrecision},
		{"Values/EmptyBytes", testEmptyBytes},
		{"Values/OutOfRange", testOutOfRange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, open(t))
		})
	}
}
