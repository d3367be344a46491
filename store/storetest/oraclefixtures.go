package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
)

// at is a time stores keep exactly: fixtures use it so that values
// round-trip unchanged; testOracleTimePrecision covers truncation.
var at = stored(base)

// rid is a 32-byte ID that sorts by n, with 0x00 and 0xff bytes in it.
func rid(n uint16) [32]byte {
	var id [32]byte
	id[0], id[1] = byte(n>>8), byte(n)
	for i := 2; i < 32; i++ {
		id[i] = byte(n) + byte(i)*37
	}
	id[2], id[31] = 0x00, 0xff
	return id
}

// owner is an owner wallet address, distinct from the hotspots'.
func owner(t testing.TB, n byte) identity.Address { return hotspot(t, 200+n) }

func onboardInfo(t testing.TB, n byte) oracle.HotspotInfo {
	return oracle.HotspotInfo{
		Address:     hotspot(t, n),
		Owner:       owner(t, n%3),
		OnboardedAt: at.Add(time.Duration(n) * time.Minute),
		Envelope:    []byte{0x0a, n, 0x00, 0xff},
	}
}

func locationOf(h identity.Address, nonce, cell uint64) oracle.Location {
	return oracle.Location{
		Hotspot:    h,
		Cell:       cell,
		GainDBiX10: int32(nonce)*10 - 25,
		ElevationM: -int32(nonce),
		Region:     "EU868",
		Nonce:      nonce,
		AssertedAt: at.Add(time.Duration(nonce) * time.Hour),
		Envelope:   []byte{0x12, byte(nonce), 0xff},
	}
}

func reportOf(id uint16, kind oracle.ReportKind, h identity.Address, epoch uint64, received time.Time) oracle.Report {
	r := oracle.Report{
		ID:         rid(id),
		Kind:       kind,
		Hotspot:    h,
		Epoch:      epoch,
		Payload:    []byte{0xbe, byte(id), 0x00},
		ReceivedAt: received,
		Envelope:   []byte{0x0a, 0x20, byte(id >> 8), byte(id), 0xff},
	}
	if kind == oracle.KindBeacon {
		r.Round = uint64(id) + 1000
	}
	return r
}

func verdictOf(id uint16, kind oracle.ReportKind, h identity.Address, epoch uint64, beacon uint16) oracle.Verdict {
	v := oracle.Verdict{
		ReportID: rid(id),
		Epoch:    epoch,
		Kind:     kind,
		Hotspot:  h,
		Valid:    id%2 == 0,
		Selected: id%4 == 0,
		Reason:   "too_close",
		Detail:   "witness 12 m from beacon; minimum 300 m",
	}
	if beacon != 0 {
		v.BeaconID = rid(beacon)
	}
	return v
}

func epochOf(n uint64) oracle.Epoch {
	start := at.Add(time.Duration(n) * time.Hour)
	return oracle.Epoch{Number: n, Start: start, End: start.Add(time.Hour), Status: oracle.EpochOpen}
}

// closed is e as stored after CloseEpoch with root.
func closed(e oracle.Epoch, root byte) oracle.Epoch {
	e.Status, e.Root, e.ClosedAt = oracle.EpochClosed, []byte{root, 0x00, 0xff}, e.End.Add(time.Minute)
	return e
}

func mustOnboard(t *testing.T, s oracle.Store, hs ...oracle.HotspotInfo) {
	t.Helper()
	for _, h := range hs {
		if err := s.Onboard(t.Context(), h); err != nil {
			t.Fatalf("Onboard(%s): %v", h.Address, err)
		}
	}
}

func mustAssert(t *testing.T, s oracle.Store, ls ...oracle.Location) {
	t.Helper()
	for _, l := range ls {
		if err := s.AssertLocation(t.Context(), l); err != nil {
			t.Fatalf("AssertLocation(%s, nonce %d): %v", l.Hotspot, l.Nonce, err)
		}
	}
}

func mustAdd(t *testing.T, s oracle.Store, want int, rs ...oracle.Report) {
	t.Helper()
	n, err := s.AddReports(t.Context(), rs)
	if err != nil || n != want {
		t.Fatalf("AddReports(%d reports) = %d, %v; want %d new", len(rs), n, err, want)
	}
}

func mustOpen(t *testing.T, s oracle.Store, es ...oracle.Epoch) {
	t.Helper()
	for _, e := range es {
		if err := s.OpenEpoch(t.Context(), e); err != nil {
			t.Fatalf("OpenEpoch(%d): %v", e.Number, err)
		}
	}
}

func mustClose(t *testing.T, s oracle.Store, e oracle.Epoch, m []oracle.ManifestEntry, vs []oracle.Verdict) {
	t.Helper()
	if err := s.CloseEpoch(t.Context(), e, m, vs); err != nil {
		t.Fatalf("CloseEpoch(%d): %v", e.Number, err)
	}
}

func mustSaveRound(t *testing.T, s oracle.Store, rs ...oracle.Round) {
	t.Helper()
	for _, r := range rs {
		if err := s.SaveRound(t.Context(), r); err != nil {
			t.Fatalf("SaveRound(%d): %v", r.Number, err)
		}
	}
}

// wantErr reports whether err is what a table row expects: nil for nil,
// else a match by errors.Is.
func wantErr(err, want error) bool {
	if want == nil {
		return err == nil
	}
	return errors.Is(err, want)
}

// errAny is a table row's expectation of an error that is none of the
// sentinels (bad input the store refuses).
var errAny = errors.New("any error but the sentinels")

// checkErr checks err against want, where errAny means "an error".
func checkErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if want == errAny {
		if err == nil {
			t.Errorf("%s succeeded, want an error", what)
		}
		return
	}
	if !wantErr(err, want) {
		t.Errorf("%s = %v, want %v", what, err, want)
	}
}
