package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
)

func checkReports(t *testing.T, what string, got []oracle.Report, err error, want []oracle.Report) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if diff := diff(want, got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", what, diff)
	}
}

func checkEpochReports(t *testing.T, s oracle.Store, epoch uint64, want ...oracle.Report) {
	t.Helper()
	got, err := s.ReportsOfEpoch(t.Context(), epoch)
	checkReports(t, "ReportsOfEpoch", got, err, want)
}

// testAddReportsIdempotent: a report whose ID is stored, or repeated in
// the batch, is skipped whole; the count is of new reports only.
func testAddReportsIdempotent(t *testing.T, s oracle.Store) {
	h1, h2 := hotspot(t, 1), hotspot(t, 2)
	r1 := reportOf(1, oracle.KindBeacon, h1, 7, at)
	r2 := reportOf(2, oracle.KindWitness, h2, 7, at.Add(time.Second))
	r3 := reportOf(3, oracle.KindWitness, h1, 7, at.Add(2*time.Second))
	replay := reportOf(1, oracle.KindWitness, h2, 8, at.Add(time.Hour)) // same ID, other content
	mustAdd(t, s, 0)
	mustAdd(t, s, 2, r1, r2, r1)
	mustAdd(t, s, 1, replay, r3, r2)
	mustAdd(t, s, 0, r1, r2, r3)
	checkEpochReports(t, s, 7, r1, r2, r3)
	checkEpochReports(t, s, 8)
}

// testReportOrder: (ReceivedAt, ID) whatever the insertion order, with
// reports within one microsecond ordered by ID; epochs do not mix.
func testReportOrder(t *testing.T, s oracle.Store) {
	h := hotspot(t, 1)
	same := base // nanoseconds: three reports fall in one microsecond
	rs := []oracle.Report{
		reportOf(9, oracle.KindWitness, h, 1, same.Add(2*time.Second)),
		reportOf(5, oracle.KindWitness, h, 1, same.Add(300)),
		reportOf(4, oracle.KindBeacon, h, 1, same),
		reportOf(6, oracle.KindWitness, h, 1, same.Add(100)),
		reportOf(1, oracle.KindWitness, h, 1, same.Add(time.Second)),
		reportOf(2, oracle.KindWitness, h, 2, same.Add(-time.Hour)),
		reportOf(3, oracle.KindWitness, h, 0, same),
	}
	mustAdd(t, s, 3, rs[:3]...)
	mustAdd(t, s, len(rs)-3, rs[3:]...)
	want := func(rs ...oracle.Report) []oracle.Report {
		for i := range rs {
			rs[i].ReceivedAt = stored(rs[i].ReceivedAt)
		}
		return rs
	}
	checkEpochReports(t, s, 1, want(rs[2], rs[1], rs[3], rs[4], rs[0])...)
	checkEpochReports(t, s, 2, want(rs[5])...)
	checkEpochReports(t, s, 0, want(rs[6])...)
	checkEpochReports(t, s, 3)
}

// testEachReport: EachReportOfEpoch yields ReportsOfEpoch's sequence and
// stops at the callback's first error, returning it.
func testEachReport(t *testing.T, s oracle.Store) {
	var rs []oracle.Report
	for i := range 50 {
		rs = append(rs, reportOf(uint16(50-i), oracle.KindWitness, hotspot(t, byte(i%5)), 3, at.Add(time.Duration(i%7)*time.Second)))
	}
	rs = append(rs, reportOf(100, oracle.KindWitness, hotspot(t, 1), 4, at))
	mustAdd(t, s, len(rs), rs...)
	want, err := s.ReportsOfEpoch(t.Context(), 3)
	if err != nil || len(want) != 50 {
		t.Fatalf("ReportsOfEpoch = %d reports, %v; want 50", len(want), err)
	}
	var got []oracle.Report
	err = s.EachReportOfEpoch(t.Context(), 3, func(r oracle.Report) error { got = append(got, r); return nil })
	checkReports(t, "EachReportOfEpoch", got, err, want)

	stop := errors.New("enough")
	n := 0
	err = s.EachReportOfEpoch(t.Context(), 3, func(oracle.Report) error {
		n++
		if n == 10 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 10 {
		t.Errorf("EachReportOfEpoch with a failing callback = %v after %d calls; want the callback's error after 10", err, n)
	}
	err = s.EachReportOfEpoch(t.Context(), 99, func(oracle.Report) error { return stop })
	if err != nil {
		t.Errorf("EachReportOfEpoch(empty epoch) = %v, want nil without calls", err)
	}
}

func testReportsOfHotspot(t *testing.T, s oracle.Store) {
	h1, h2 := hotspot(t, 1), hotspot(t, 2)
	rs := []oracle.Report{
		reportOf(1, oracle.KindWitness, h1, 1, at.Add(3*time.Second)),
		reportOf(2, oracle.KindBeacon, h1, 1, at.Add(time.Second)),
		reportOf(3, oracle.KindWitness, h2, 1, at),
		reportOf(4, oracle.KindWitness, h1, 2, at),
	}
	mustAdd(t, s, len(rs), rs...)
	tests := []struct {
		h     identity.Address
		epoch uint64
		want  []oracle.Report
	}{
		{h1, 1, []oracle.Report{rs[1], rs[0]}},
		{h2, 1, []oracle.Report{rs[2]}},
		{h1, 2, []oracle.Report{rs[3]}},
		{h2, 2, nil},
		{hotspot(t, 3), 1, nil},
	}
	for _, tt := range tests {
		got, err := s.ReportsOfHotspot(t.Context(), tt.h, tt.epoch)
		checkReports(t, "ReportsOfHotspot", got, err, tt.want)
	}
}

// testAddManyReports: batches large enough for an adapter's bulk path keep
// the same rules: stored and repeated IDs are skipped, the count is of new
// reports, the first stored content wins.
func testAddManyReports(t *testing.T, s oracle.Store) {
	h := hotspot(t, 1)
	batch := func(from, to int) []oracle.Report {
		var rs []oracle.Report
		for id := from; id < to; id++ {
			rs = append(rs, reportOf(uint16(id), oracle.KindWitness, h, 5, at.Add(time.Duration(id%7)*time.Millisecond)))
		}
		return rs
	}
	first := batch(0, 3000)
	mustAdd(t, s, 3000, first...)
	second := append(batch(2500, 5500), batch(5000, 5100)...)
	second[0].Payload = []byte("replayed") // ID 2500 is stored: skipped
	mustAdd(t, s, 2500, second...)
	got, err := s.ReportsOfEpoch(t.Context(), 5)
	if err != nil || len(got) != 5500 {
		t.Fatalf("ReportsOfEpoch = %d reports, %v; want 5500", len(got), err)
	}
	for i := 1; i < len(got); i++ {
		a, b := got[i-1], got[i]
		if b.ReceivedAt.Before(a.ReceivedAt) || (b.ReceivedAt.Equal(a.ReceivedAt) && string(b.ID[:]) <= string(a.ID[:])) {
			t.Fatalf("reports %d and %d out of (ReceivedAt, ID) order", i-1, i)
		}
	}
	rs, err := s.ReportsOfHotspot(t.Context(), h, 5)
	if err != nil || len(rs) != 5500 {
		t.Fatalf("ReportsOfHotspot = %d reports, %v; want 5500", len(rs), err)
	}
	for _, r := range rs {
		if r.ID == rid(2500) && string(r.Payload) != string(first[2500].Payload) {
			t.Errorf("report 2500 has payload %x; want the first stored, %x", r.Payload, first[2500].Payload)
		}
	}
}
