package oracle

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/hexnet/hexnet/geo"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

// Registration errors; compare with errors.Is.
var (
	ErrOnboard  = errors.New("oracle: onboarding request rejected")
	ErrLocation = errors.New("oracle: location assertion rejected")
)

// RegionKnown tells whether a region name is one the network serves.
type RegionKnown func(name string) bool

// ParseOnboard checks an OnboardRequest: both envelopes carry the same
// Onboard body, the owner signed it as the owner and the hotspot as the
// hotspot. It returns the hotspot record to store.
func ParseOnboard(raw []byte, now time.Time) (HotspotInfo, error) {
	var req hexnetpb.OnboardRequest
	if err := proto.Unmarshal(raw, &req); err != nil {
		return HotspotInfo{}, fmt.Errorf("%w: not an OnboardRequest: %v", ErrOnboard, err)
	}
	if !bytes.Equal(req.GetByOwner().GetBody(), req.GetByHotspot().GetBody()) {
		return HotspotInfo{}, fmt.Errorf("%w: owner and hotspot signed different bodies", ErrOnboard)
	}
	var body hexnetpb.Onboard
	owner, err := identity.Open(req.GetByOwner(), identity.KindOnboard, &body)
	if err != nil {
		return HotspotInfo{}, fmt.Errorf("%w: owner signature: %v", ErrOnboard, err)
	}
	hotspot, err := identity.Open(req.GetByHotspot(), identity.KindOnboard, &body)
	if err != nil {
		return HotspotInfo{}, fmt.Errorf("%w: hotspot signature: %v", ErrOnboard, err)
	}
	if hotspot != identity.AddressOf(body.GetHotspot()) || owner != identity.AddressOf(body.GetOwner()) {
		return HotspotInfo{}, fmt.Errorf("%w: signers are not the hotspot and owner the body names", ErrOnboard)
	}
	if hotspot == owner {
		return HotspotInfo{}, fmt.Errorf("%w: a hotspot cannot own itself", ErrOnboard)
	}
	return HotspotInfo{Address: hotspot, Owner: owner, OnboardedAt: now, Envelope: raw}, nil
}

// ParseLocation checks a signed AssertLocation against the hotspot's
// registration: signed by its owner, a valid resolution-12 cell, a known
// region, a sane antenna.
func ParseLocation(raw []byte, reg HotspotInfo, known RegionKnown, now time.Time) (Location, error) {
	var body hexnetpb.AssertLocation
	signer, err := identity.OpenBytes(raw, identity.KindLocation, &body)
	if err != nil {
		return Location{}, fmt.Errorf("%w: %v", ErrLocation, err)
	}
	if err := checkLocation(&body, signer, reg, known); err != nil {
		return Location{}, err
	}
	return Location{
		Hotspot: reg.Address, Cell: body.GetCell(), GainDBiX10: body.GetGainDbiX10(), ElevationM: body.GetElevationM(),
		Region: body.GetRegion(), Nonce: body.GetNonce(), AssertedAt: now, Envelope: raw,
	}, nil
}

func checkLocation(b *hexnetpb.AssertLocation, signer identity.Address, reg HotspotInfo, known RegionKnown) error {
	cell := geo.Cell(b.GetCell())
	switch {
	case identity.AddressOf(b.GetHotspot()) != reg.Address:
		return fmt.Errorf("%w: it names hotspot %s", ErrLocation, identity.AddressOf(b.GetHotspot()))
	case signer != reg.Owner || identity.AddressOf(b.GetOwner()) != reg.Owner:
		return fmt.Errorf("%w: signed by %s, but %s owns the hotspot", ErrLocation, signer, reg.Owner)
	case !cell.Valid() || cell.Resolution() != geo.ResAsserted:
		return fmt.Errorf("%w: cell %x is not a valid H3 cell at resolution %d", ErrLocation, b.GetCell(), geo.ResAsserted)
	case !known(b.GetRegion()):
		return fmt.Errorf("%w: unknown region %q", ErrLocation, b.GetRegion())
	case b.GetGainDbiX10() < 0 || b.GetGainDbiX10() > 150:
		return fmt.Errorf("%w: antenna gain %.1f dBi outside 0..15", ErrLocation, float64(b.GetGainDbiX10())/10)
	case b.GetElevationM() < 0 || b.GetElevationM() > 1000:
		return fmt.Errorf("%w: elevation %d m outside 0..1000", ErrLocation, b.GetElevationM())
	case b.GetNonce() == 0:
		return fmt.Errorf("%w: nonce must start at 1", ErrLocation)
	}
	return nil
}

// Register onboards a hotspot from a signed request.
func Register(ctx context.Context, reg Registry, raw []byte, now time.Time) (HotspotInfo, error) {
	h, err := ParseOnboard(raw, now)
	if err != nil {
		return HotspotInfo{}, err
	}
	if err := reg.Onboard(ctx, h); err != nil {
		return HotspotInfo{}, fmt.Errorf("onboard %s: %w", h.Address, err)
	}
	return h, nil
}

// Relocate records a signed location assertion for an onboarded hotspot.
func Relocate(ctx context.Context, reg Registry, addr identity.Address, raw []byte, known RegionKnown, now time.Time) (Location, error) {
	h, err := reg.GetHotspot(ctx, addr)
	if err != nil {
		return Location{}, fmt.Errorf("hotspot %s: %w", addr, err)
	}
	l, err := ParseLocation(raw, h, known, now)
	if err != nil {
		return Location{}, err
	}
	if err := reg.AssertLocation(ctx, l); err != nil {
		return Location{}, fmt.Errorf("assert location of %s: %w", addr, err)
	}
	return l, nil
}

// SignOnboard is the owner's and the hotspot's half of onboarding in one
// place, for tools that hold both keys (the devnet, tests). A hotspot on a
// gateway signs its half with `hotspotd` instead.
func SignOnboard(owner, hotspot *identity.Key, nonce uint64, now time.Time) ([]byte, error) {
	body := &hexnetpb.Onboard{Hotspot: hotspot.Public(), Owner: owner.Public(), Nonce: nonce, TimeUnixNs: now.UnixNano()}
	byOwner, err := owner.Seal(identity.KindOnboard, body)
	if err != nil {
		return nil, err
	}
	byHotspot := &hexnetpb.Signed{Kind: string(identity.KindOnboard), Signer: hotspot.Public(), Body: byOwner.Body, Signature: hotspot.Sign(identity.KindOnboard, byOwner.Body)}
	return proto.Marshal(&hexnetpb.OnboardRequest{ByOwner: byOwner, ByHotspot: byHotspot})
}

// SignLocation is the owner's signed location assertion.
func SignLocation(owner *identity.Key, hotspot identity.Address, l Location) ([]byte, error) {
	pub, err := hotspot.PublicKey()
	if err != nil {
		return nil, err
	}
	return owner.SealBytes(identity.KindLocation, &hexnetpb.AssertLocation{
		Hotspot: pub, Owner: owner.Public(), Cell: l.Cell, GainDbiX10: l.GainDBiX10, ElevationM: l.ElevationM,
		Region: l.Region, Nonce: l.Nonce, TimeUnixNs: l.AssertedAt.UnixNano(),
	})
}
