package oracle

import (
	"errors"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/hexnet/hexnet/geo"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

func key(t *testing.T) *identity.Key {
	t.Helper()
	k, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func TestParseOnboard(t *testing.T) {
	owner, hotspot := key(t), key(t)
	raw, err := SignOnboard(owner, hotspot, 1, now)
	if err != nil {
		t.Fatal(err)
	}
	h, err := ParseOnboard(raw, now)
	if err != nil {
		t.Fatal(err)
	}
	if h.Address != hotspot.Address() || h.Owner != owner.Address() || !h.OnboardedAt.Equal(now) {
		t.Errorf("got %+v", h)
	}
}

func TestParseOnboardRejects(t *testing.T) {
	owner, hotspot, other := key(t), key(t), key(t)
	mutate := func(f func(r *hexnetpb.OnboardRequest)) []byte {
		raw, _ := SignOnboard(owner, hotspot, 1, now)
		var r hexnetpb.OnboardRequest
		if err := proto.Unmarshal(raw, &r); err != nil {
			t.Fatal(err)
		}
		f(&r)
		out, _ := proto.Marshal(&r)
		return out
	}
	selfOwned, _ := SignOnboard(hotspot, hotspot, 1, now)
	otherHotspot, _ := SignOnboard(owner, other, 1, now)
	cases := map[string][]byte{
		"garbage":                   {0xff, 0x01},
		"hotspot signature missing": mutate(func(r *hexnetpb.OnboardRequest) { r.ByHotspot.Signature = nil }),
		"owner signature forged":    mutate(func(r *hexnetpb.OnboardRequest) { r.ByOwner.Signature[0] ^= 1 }),
		"different bodies": mutate(func(r *hexnetpb.OnboardRequest) {
			r.ByHotspot.Body = append([]byte{}, r.ByHotspot.Body...)
			r.ByHotspot.Body[len(r.ByHotspot.Body)-1] ^= 1
		}),
		"hotspot half from another hotspot": mutate(func(r *hexnetpb.OnboardRequest) {
			var o hexnetpb.OnboardRequest
			_ = proto.Unmarshal(otherHotspot, &o)
			r.ByHotspot = o.ByHotspot
		}),
		"swapped halves": mutate(func(r *hexnetpb.OnboardRequest) { r.ByOwner, r.ByHotspot = r.ByHotspot, r.ByOwner }),
		"self owned":     selfOwned,
	}
	for name, raw := range cases {
		if _, err := ParseOnboard(raw, now); !errors.Is(err, ErrOnboard) {
			t.Errorf("%s: err = %v, want ErrOnboard", name, err)
		}
	}
}

func TestParseLocation(t *testing.T) {
	owner, hotspot, stranger := key(t), key(t), key(t)
	reg := HotspotInfo{Address: hotspot.Address(), Owner: owner.Address()}
	cell, err := geo.CellOf(geo.Point{Lat: 47.3769, Lng: 8.5417}, geo.ResAsserted)
	if err != nil {
		t.Fatal(err)
	}
	good := Location{Cell: uint64(cell), GainDBiX10: 30, ElevationM: 12, Region: "EU868", Nonce: 1, AssertedAt: now}
	known := func(r string) bool { return r == "EU868" }
	raw, _ := SignLocation(owner, hotspot.Address(), good)
	l, err := ParseLocation(raw, reg, known, now)
	if err != nil {
		t.Fatal(err)
	}
	if l.Cell != good.Cell || l.Region != "EU868" || l.GainDBiX10 != 30 || l.Hotspot != hotspot.Address() {
		t.Errorf("got %+v", l)
	}
	coarse, _ := geo.CellOf(geo.Point{Lat: 47.3769, Lng: 8.5417}, 8)
	bad := map[string]func() []byte{
		"stranger signs": func() []byte { r, _ := SignLocation(stranger, hotspot.Address(), good); return r },
		"other hotspot":  func() []byte { r, _ := SignLocation(owner, stranger.Address(), good); return r },
		"resolution 8": func() []byte {
			l := good
			l.Cell = uint64(coarse)
			r, _ := SignLocation(owner, hotspot.Address(), l)
			return r
		},
		"not a cell": func() []byte { l := good; l.Cell = 12345; r, _ := SignLocation(owner, hotspot.Address(), l); return r },
		"unknown region": func() []byte {
			l := good
			l.Region = "MARS1"
			r, _ := SignLocation(owner, hotspot.Address(), l)
			return r
		},
		"gain 40 dBi": func() []byte {
			l := good
			l.GainDBiX10 = 400
			r, _ := SignLocation(owner, hotspot.Address(), l)
			return r
		},
		"nonce zero": func() []byte { l := good; l.Nonce = 0; r, _ := SignLocation(owner, hotspot.Address(), l); return r },
		"wrong kind": func() []byte {
			r, _ := owner.SealBytes(identity.KindOnboard, &hexnetpb.AssertLocation{})
			return r
		},
	}
	for name, mk := range bad {
		if _, err := ParseLocation(mk(), reg, known, now); !errors.Is(err, ErrLocation) {
			t.Errorf("%s: err = %v, want ErrLocation", name, err)
		}
	}
}
