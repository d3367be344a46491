package storetest

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/store"
)

func checkEpoch(t *testing.T, s oracle.Store, step string, want oracle.Epoch) {
	t.Helper()
	got, err := s.GetEpoch(t.Context(), want.Number)
	if err != nil {
		t.Fatalf("%s: GetEpoch(%d): %v", step, want.Number, err)
	}
	if diff := diff(want, got); diff != "" {
		t.Errorf("%s: GetEpoch(%d) (-want +got):\n%s", step, want.Number, diff)
	}
}

func checkManifest(t *testing.T, s oracle.Store, n uint64, want []oracle.ManifestEntry) {
	t.Helper()
	got, err := s.Manifest(t.Context(), n)
	if err != nil {
		t.Fatalf("Manifest(%d): %v", n, err)
	}
	if diff := diff(want, got); diff != "" {
		t.Errorf("Manifest(%d) (-want +got):\n%s", n, diff)
	}
}

func checkVerdicts(t *testing.T, what string, got []oracle.Verdict, err error, want []oracle.Verdict) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if diff := diff(want, got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", what, diff)
	}
}

func entryOf(t testing.TB, n byte, total uint64) oracle.ManifestEntry {
	return oracle.ManifestEntry{
		Hotspot: hotspot(t, n), Owner: owner(t, n%2),
		Beacon: total / 4, Witness: total / 2, Data: total - total/4 - total/2, Total: total,
	}
}

// byHotspot sorts a manifest as Manifest returns it.
func byHotspot(ms ...oracle.ManifestEntry) []oracle.ManifestEntry {
	out := slices.Clone(ms)
	slices.SortFunc(out, func(a, b oracle.ManifestEntry) int { return strings.Compare(string(a.Hotspot), string(b.Hotspot)) })
	return out
}

// testEpochLifecycle walks an epoch through open, closed and paid, trying
// every forbidden move on the way: none changes the epoch.
func testEpochLifecycle(t *testing.T, s oracle.Store) {
	e := epochOf(1)
	done := closed(e, 0xaa)
	m := []oracle.ManifestEntry{entryOf(t, 1, 100)}
	other := closed(e, 0xbb)
	ctx := t.Context()
	steps := []struct {
		name string
		do   func() error
		want error
		then oracle.Epoch
	}{
		{"open", func() error { return s.OpenEpoch(ctx, e) }, nil, e},
		{"open again", func() error { return s.OpenEpoch(ctx, other) }, store.ErrConflict, e},
		{"pay open", func() error { return s.MarkPaid(ctx, 1) }, store.ErrConflict, e},
		{"close", func() error { return s.CloseEpoch(ctx, done, m, nil) }, nil, done},
		{"close again", func() error { return s.CloseEpoch(ctx, other, nil, nil) }, store.ErrConflict, done},
		{"open closed", func() error { return s.OpenEpoch(ctx, e) }, store.ErrConflict, done},
		{"pay", func() error { return s.MarkPaid(ctx, 1) }, nil, withStatus(done, oracle.EpochPaid)},
		{"pay again", func() error { return s.MarkPaid(ctx, 1) }, store.ErrConflict, withStatus(done, oracle.EpochPaid)},
		{"close paid", func() error { return s.CloseEpoch(ctx, other, nil, nil) }, store.ErrConflict, withStatus(done, oracle.EpochPaid)},
		{"open paid", func() error { return s.OpenEpoch(ctx, e) }, store.ErrConflict, withStatus(done, oracle.EpochPaid)},
	}
	for _, st := range steps {
		checkErr(t, st.name, st.do(), st.want)
		checkEpoch(t, s, st.name, st.then)
		checkManifest(t, s, 1, unlessOpen(st.then, m))
	}
	for _, miss := range []struct {
		name string
		err  error
	}{
		{"close missing", s.CloseEpoch(ctx, closed(epochOf(9), 1), nil, nil)},
		{"pay missing", s.MarkPaid(ctx, 9)},
	} {
		checkErr(t, miss.name, miss.err, store.ErrNotFound)
	}
	if _, err := s.GetEpoch(ctx, 9); !wantErr(err, store.ErrNotFound) {
		t.Errorf("GetEpoch(missing) = %v, want store.ErrNotFound", err)
	}
}

func withStatus(e oracle.Epoch, st oracle.EpochStatus) oracle.Epoch {
	e.Status = st
	return e
}

// unlessOpen is the manifest e has: none while open.
func unlessOpen(e oracle.Epoch, m []oracle.ManifestEntry) []oracle.ManifestEntry {
	if e.Status == oracle.EpochOpen {
		return nil
	}
	return m
}

func testListEpochs(t *testing.T, s oracle.Store) {
	if es, err := s.ListEpochs(t.Context()); err != nil || len(es) != 0 {
		t.Errorf("ListEpochs(none) = %v, %v; want none", es, err)
	}
	e3, e1, e2, big := epochOf(3), epochOf(1), epochOf(2), epochOf(math.MaxInt64)
	mustOpen(t, s, e3, e1, big, e2)
	mustClose(t, s, closed(e2, 2), nil, nil)
	got, err := s.ListEpochs(t.Context())
	if err != nil {
		t.Fatalf("ListEpochs: %v", err)
	}
	if diff := diff([]oracle.Epoch{e1, closed(e2, 2), e3, big}, got); diff != "" {
		t.Errorf("ListEpochs (-want +got):\n%s", diff)
	}
}

// testManifestVerdicts: everything CloseEpoch writes comes back, sorted,
// and only for its epoch and hotspot.
func testManifestVerdicts(t *testing.T, s oracle.Store) {
	h1, h2 := hotspot(t, 1), hotspot(t, 2)
	mustOpen(t, s, epochOf(1), epochOf(2))
	m := []oracle.ManifestEntry{entryOf(t, 3, 7), entryOf(t, 1, math.MaxInt64), entryOf(t, 2, 0)}
	vs := []oracle.Verdict{
		verdictOf(9, oracle.KindWitness, h2, 1, 4),
		verdictOf(4, oracle.KindBeacon, h1, 1, 0),
		verdictOf(5, oracle.KindWitness, h1, 1, 4),
		verdictOf(6, oracle.KindWitness, h1, 1, 0),
	}
	mustClose(t, s, closed(epochOf(1), 1), m, vs)
	mustClose(t, s, closed(epochOf(2), 2), []oracle.ManifestEntry{entryOf(t, 1, 5)}, []oracle.Verdict{verdictOf(20, oracle.KindWitness, h1, 2, 0)})
	checkManifest(t, s, 1, byHotspot(m...))
	checkManifest(t, s, 2, []oracle.ManifestEntry{entryOf(t, 1, 5)})
	checkManifest(t, s, 3, nil)
	got, err := s.VerdictsOfEpoch(t.Context(), 1)
	checkVerdicts(t, "VerdictsOfEpoch(1)", got, err, []oracle.Verdict{vs[1], vs[2], vs[3], vs[0]})
	tests := []struct {
		h     identity.Address
		epoch uint64
		want  []oracle.Verdict
	}{
		{h1, 1, []oracle.Verdict{vs[1], vs[2], vs[3]}},
		{h2, 1, []oracle.Verdict{vs[0]}},
		{h1, 2, []oracle.Verdict{verdictOf(20, oracle.KindWitness, h1, 2, 0)}},
		{h2, 2, nil},
	}
	for _, tt := range tests {
		got, err := s.VerdictsOfHotspot(t.Context(), tt.h, tt.epoch)
		checkVerdicts(t, "VerdictsOfHotspot", got, err, tt.want)
	}
}

// testCloseInvalid: CloseEpoch refuses bad input before writing anything;
// the epoch stays open and can then be closed properly.
func testCloseInvalid(t *testing.T, s oracle.Store) {
	h := hotspot(t, 1)
	e := epochOf(1)
	mustOpen(t, s, e)
	big := entryOf(t, 2, 0)
	big.Witness = math.MaxInt64 + 1
	v1, v2 := verdictOf(1, oracle.KindWitness, h, 1, 0), verdictOf(2, oracle.KindWitness, h, 1, 0)
	tests := []struct {
		name     string
		manifest []oracle.ManifestEntry
		verdicts []oracle.Verdict
	}{
		{"verdict of another epoch", nil, []oracle.Verdict{v1, verdictOf(3, oracle.KindWitness, h, 2, 0)}},
		{"report judged twice", nil, []oracle.Verdict{v1, v2, v1}},
		{"hotspot twice in the manifest", []oracle.ManifestEntry{entryOf(t, 1, 1), entryOf(t, 2, 1), entryOf(t, 1, 2)}, nil},
		{"amount above MaxInt64", []oracle.ManifestEntry{entryOf(t, 1, 1), big}, []oracle.Verdict{v1}},
	}
	for _, tt := range tests {
		checkErr(t, tt.name+": CloseEpoch", s.CloseEpoch(t.Context(), closed(e, 1), tt.manifest, tt.verdicts), errAny)
		checkEpoch(t, s, tt.name, e)
		checkManifest(t, s, 1, nil)
		got, err := s.VerdictsOfEpoch(t.Context(), 1)
		checkVerdicts(t, tt.name+": VerdictsOfEpoch", got, err, nil)
	}
	mustClose(t, s, closed(e, 1), []oracle.ManifestEntry{entryOf(t, 1, 1)}, []oracle.Verdict{v1, v2})
}

// testVerdictJudgedElsewhere: a report judged in a closed epoch cannot be
// judged again by another epoch's close.
func testVerdictJudgedElsewhere(t *testing.T, s oracle.Store) {
	h := hotspot(t, 1)
	mustOpen(t, s, epochOf(1), epochOf(2))
	v := verdictOf(1, oracle.KindWitness, h, 1, 0)
	mustClose(t, s, closed(epochOf(1), 1), nil, []oracle.Verdict{v})
	again := v
	again.Epoch, again.Valid, again.Reason = 2, !v.Valid, "other"
	err := s.CloseEpoch(t.Context(), closed(epochOf(2), 2), []oracle.ManifestEntry{entryOf(t, 1, 1)}, []oracle.Verdict{again})
	checkErr(t, "CloseEpoch judging a report again", err, store.ErrConflict)
	checkEpoch(t, s, "after the refused close", epochOf(2))
	checkManifest(t, s, 2, nil)
	got, err := s.VerdictsOfEpoch(t.Context(), 1)
	checkVerdicts(t, "VerdictsOfEpoch(1)", got, err, []oracle.Verdict{v})
}
