package batch

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
)

func TestReports(t *testing.T) {
	in := []oracle.Report{
		{ID: [32]byte{2}, Hotspot: "first"},
		{ID: [32]byte{1}},
		{ID: [32]byte{2}, Hotspot: "second"},
	}
	want := []oracle.Report{{ID: [32]byte{1}}, {ID: [32]byte{2}, Hotspot: "first"}}
	got, err := Reports(in)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Reports (-want +got):\n%s", diff)
	}
	if in[0].Hotspot != "first" || in[1].ID != [32]byte{1} {
		t.Errorf("Reports modified its input: %v", in)
	}
	for _, bad := range []oracle.Report{{Epoch: math.MaxInt64 + 1}, {Round: math.MaxUint64}} {
		if _, err := Reports([]oracle.Report{{ID: [32]byte{9}}, bad}); err == nil {
			t.Errorf("Reports accepted %+v", bad)
		}
	}
}

func TestClose(t *testing.T) {
	e := oracle.Epoch{Number: 3}
	v := func(id byte, epoch uint64) oracle.Verdict {
		return oracle.Verdict{ReportID: [32]byte{id}, Epoch: epoch}
	}
	m := func(h identity.Address, total uint64) oracle.ManifestEntry {
		return oracle.ManifestEntry{Hotspot: h, Total: total}
	}
	tests := []struct {
		name     string
		e        oracle.Epoch
		manifest []oracle.ManifestEntry
		verdicts []oracle.Verdict
		ok       bool
	}{
		{"empty", e, nil, nil, true},
		{"good", e, []oracle.ManifestEntry{m("a", math.MaxInt64), m("b", 0)}, []oracle.Verdict{v(1, 3), v(2, 3)}, true},
		{"epoch too big", oracle.Epoch{Number: math.MaxInt64 + 1}, nil, nil, false},
		{"amount too big", e, []oracle.ManifestEntry{m("a", math.MaxInt64+1)}, nil, false},
		{"hotspot twice", e, []oracle.ManifestEntry{m("a", 1), m("a", 2)}, nil, false},
		{"verdict of another epoch", e, nil, []oracle.Verdict{v(1, 3), v(2, 4)}, false},
		{"report judged twice", e, nil, []oracle.Verdict{v(1, 3), v(1, 3)}, false},
	}
	for _, tt := range tests {
		if err := Close(tt.e, tt.manifest, tt.verdicts); (err == nil) != tt.ok {
			t.Errorf("%s: Close = %v, want ok=%t", tt.name, err, tt.ok)
		}
	}
}
