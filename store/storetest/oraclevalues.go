package storetest

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
)

// testOracleTimePrecision: every time field of the oracle's records keeps
// microseconds, truncated, in UTC, from any zone.
func testOracleTimePrecision(t *testing.T, s oracle.Store) {
	east := time.FixedZone("UTC+5:45", 5*3600+45*60)
	tests := []struct {
		name string
		in   time.Time
	}{
		{"nanoseconds truncated", time.Date(2026, 1, 1, 0, 0, 0, 999_999_999, time.UTC)},
		{"microseconds kept", time.Date(2026, 1, 1, 0, 0, 0, 1_000, time.UTC)},
		{"other zone", time.Date(2026, 1, 1, 5, 45, 0, 123_456_789, east)},
		{"before 1970", time.Date(1969, 12, 31, 23, 59, 59, 500_000_001, time.UTC)},
		{"monotonic reading dropped", time.Now()},
	}
	for i, tt := range tests {
		n := uint64(i + 1)
		want := tt.in.Truncate(time.Microsecond).UTC()
		for field, got := range storeTimes(t, s, n, tt.in) {
			if !got.Equal(want) || got.Location() != time.UTC {
				t.Errorf("%s: %s %v came back as %v, want %v", tt.name, field, tt.in, got, want)
			}
		}
	}
}

// storeTimes stores one record of each kind with every time field set to
// in, and returns the times read back by field name.
func storeTimes(t *testing.T, s oracle.Store, n uint64, in time.Time) map[string]time.Time {
	h := onboardInfo(t, byte(n))
	h.OnboardedAt = in
	mustOnboard(t, s, h)
	l := locationOf(h.Address, 1, n)
	l.AssertedAt = in
	mustAssert(t, s, l)
	r := reportOf(uint16(n), oracle.KindBeacon, h.Address, n, in)
	mustAdd(t, s, 1, r)
	round := revealedRound(n)
	round.CommittedAt, round.RevealedAt = in, in
	mustSaveRound(t, s, round)
	c := challengeOf(n, h.Address)
	c.IssuedAt = in
	if err := s.SaveChallenges(t.Context(), []oracle.Challenge{c}); err != nil {
		t.Fatal(err)
	}
	e := oracle.Epoch{Number: n, Start: in, End: in}
	mustOpen(t, s, e)
	e.ClosedAt = in
	mustClose(t, s, e, nil, nil)
	tx := rewardTxOf(n, 0)
	tx.UpdatedAt = in
	mustSaveTx(t, s, tx)
	return readTimes(t, s, n, h)
}

func readTimes(t *testing.T, s oracle.Store, n uint64, h oracle.HotspotInfo) map[string]time.Time {
	ctx := t.Context()
	got := map[string]time.Time{}
	if gh, err := s.GetHotspot(ctx, h.Address); err == nil && gh.Location != nil {
		got["OnboardedAt"], got["AssertedAt"] = gh.OnboardedAt, gh.Location.AssertedAt
	}
	if rs, err := s.ReportsOfEpoch(ctx, n); err == nil && len(rs) == 1 {
		got["ReceivedAt"] = rs[0].ReceivedAt
	}
	if r, err := s.GetRound(ctx, n); err == nil {
		got["CommittedAt"], got["RevealedAt"] = r.CommittedAt, r.RevealedAt
	}
	if cs, err := s.ChallengesOfRound(ctx, n); err == nil && len(cs) == 1 {
		got["IssuedAt"] = cs[0].IssuedAt
	}
	if e, err := s.GetEpoch(ctx, n); err == nil {
		got["Start"], got["End"], got["ClosedAt"] = e.Start, e.End, e.ClosedAt
	}
	if txs, err := s.RewardTxsOfEpoch(ctx, n); err == nil && len(txs) == 1 {
		got["UpdatedAt"] = txs[0].UpdatedAt
	}
	if len(got) != 10 {
		t.Fatalf("read back %d of the 10 time fields: %v", len(got), got)
	}
	return got
}

// testEmptyBytes: nil and empty byte slices (and entries) are stored
// alike and both come back nil; zero times that mean "not yet" stay zero.
func testEmptyBytes(t *testing.T, s oracle.Store) {
	for i, empty := range [][]byte{nil, {}} {
		n := uint64(i + 1)
		h := onboardInfo(t, byte(n))
		h.Envelope = empty
		mustOnboard(t, s, h)
		l := locationOf(h.Address, 0, 0)
		l.Envelope = empty
		mustAssert(t, s, l)
		r := reportOf(uint16(n), oracle.KindWitness, h.Address, n, at)
		r.Payload, r.Envelope = empty, empty
		mustAdd(t, s, 1, r)
		mustSaveRound(t, s, oracle.Round{Number: n, Commitment: empty, Secret: empty, PublicMix: empty, Entropy: empty})
		mustOpen(t, s, epochOf(n))
		mustClose(t, s, oracle.Epoch{Number: n, Root: empty}, nil, nil)
		tx := rewardTxOf(n, 0)
		tx.Raw, tx.Entries = empty, nil
		if empty != nil {
			tx.Entries = []identity.Address{}
		}
		mustSaveTx(t, s, tx)
		checkNils(t, s, n, h)
	}
}

func checkNils(t *testing.T, s oracle.Store, n uint64, h oracle.HotspotInfo) {
	t.Helper()
	ctx := t.Context()
	gh, err := s.GetHotspot(ctx, h.Address)
	if err != nil || gh.Location == nil {
		t.Fatalf("GetHotspot = %+v, %v", gh, err)
	}
	rs, err := s.ReportsOfEpoch(ctx, n)
	if err != nil || len(rs) != 1 {
		t.Fatalf("ReportsOfEpoch = %v, %v", rs, err)
	}
	r, err := s.GetRound(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.GetEpoch(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	txs, err := s.RewardTxsOfEpoch(ctx, n)
	if err != nil || len(txs) != 1 {
		t.Fatalf("RewardTxsOfEpoch = %v, %v", txs, err)
	}
	fields := map[string][]byte{
		"HotspotInfo.Envelope": gh.Envelope, "Location.Envelope": gh.Location.Envelope,
		"Report.Payload": rs[0].Payload, "Report.Envelope": rs[0].Envelope,
		"Round.Commitment": r.Commitment, "Round.Secret": r.Secret, "Round.PublicMix": r.PublicMix, "Round.Entropy": r.Entropy,
		"Epoch.Root": e.Root, "RewardTx.Raw": txs[0].Raw,
	}
	for name, b := range fields {
		if b != nil {
			t.Errorf("empty %s came back as %#v, want nil", name, b)
		}
	}
	if txs[0].Entries != nil {
		t.Errorf("empty RewardTx.Entries came back as %#v, want nil", txs[0].Entries)
	}
	if !r.RevealedAt.IsZero() || !r.CommittedAt.IsZero() || !e.ClosedAt.IsZero() {
		t.Errorf("zero times came back as RevealedAt %v, CommittedAt %v, ClosedAt %v", r.RevealedAt, r.CommittedAt, e.ClosedAt)
	}
}

// testOutOfRange: uint64 values other than cells must fit in int64; a
// larger one is an error and nothing is written, the largest that fits is
// kept exactly.
func testOutOfRange(t *testing.T, s oracle.Store) {
	const tooBig = math.MaxInt64 + 1
	h := onboardInfo(t, 1)
	mustOnboard(t, s, h)
	mustOpen(t, s, epochOf(1))
	mustClose(t, s, closed(epochOf(1), 1), nil, nil)
	ctx := t.Context()
	tx := rewardTxOf(1, 0)
	tx.LastValidBlockHeight = tooBig
	good := reportOf(1, oracle.KindBeacon, h.Address, 1, at)
	badEpoch, badRound := reportOf(2, oracle.KindBeacon, h.Address, tooBig, at), reportOf(3, oracle.KindBeacon, h.Address, 1, at)
	badRound.Round = math.MaxUint64
	tests := []struct {
		name string
		err  error
	}{
		{"AssertLocation nonce", s.AssertLocation(ctx, locationOf(h.Address, tooBig, 1))},
		{"AddReports epoch", addErr(ctx, s, good, badEpoch)},
		{"AddReports round", addErr(ctx, s, good, badRound)},
		{"SaveRound", s.SaveRound(ctx, committedRound(tooBig))},
		{"SaveChallenges", s.SaveChallenges(ctx, []oracle.Challenge{challengeOf(tooBig, h.Address)})},
		{"OpenEpoch", s.OpenEpoch(ctx, epochOf(tooBig))},
		{"SaveRewardTx height", s.SaveRewardTx(ctx, tx)},
	}
	for _, tt := range tests {
		checkErr(t, tt.name, tt.err, errAny)
	}
	if ls, err := s.LocationHistory(ctx, h.Address); err != nil || len(ls) != 0 {
		t.Errorf("LocationHistory after the refused assertion = %v, %v; want none", ls, err)
	}
	checkEpochReports(t, s, 1)
	checkRewardTxs(t, s, 1)
	mustOpen(t, s, epochOf(math.MaxInt64))
	mustSaveRound(t, s, committedRound(math.MaxInt64))
	tx.LastValidBlockHeight = math.MaxInt64
	mustSaveTx(t, s, tx)
	checkRewardTxs(t, s, 1, tx)
}

func addErr(ctx context.Context, s oracle.Store, rs ...oracle.Report) error {
	_, err := s.AddReports(ctx, rs)
	return err
}
