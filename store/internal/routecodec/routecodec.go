// Package routecodec encodes a route's DevAddr ranges and EUI pairs as the
// JSON both store adapters keep in one column each: arrays of hex strings,
// readable in psql and sqlite3.
package routecodec

import (
	"encoding/json"
	"fmt"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/router"
)

type rangeJSON struct {
	First lorawan.DevAddr `json:"first"`
	Last  lorawan.DevAddr `json:"last"`
}

type pairJSON struct {
	JoinEUI lorawan.EUI64 `json:"join_eui"`
	DevEUI  lorawan.EUI64 `json:"dev_eui"`
}

// Encode returns the JSON of the ranges and of the pairs ("[]" for none).
func Encode(r router.Route) (ranges, pairs []byte, err error) {
	rs := make([]rangeJSON, len(r.DevAddrRanges))
	for i, x := range r.DevAddrRanges {
		rs[i] = rangeJSON(x)
	}
	ps := make([]pairJSON, len(r.EUIPairs))
	for i, x := range r.EUIPairs {
		ps[i] = pairJSON(x)
	}
	if ranges, err = json.Marshal(rs); err != nil {
		return nil, nil, fmt.Errorf("encode DevAddr ranges: %w", err)
	}
	if pairs, err = json.Marshal(ps); err != nil {
		return nil, nil, fmt.Errorf("encode EUI pairs: %w", err)
	}
	return ranges, pairs, nil
}

// Decode fills r's ranges and pairs from their JSON (nil for none).
func Decode(ranges, pairs []byte, r *router.Route) error {
	var rs []rangeJSON
	var ps []pairJSON
	if err := json.Unmarshal(ranges, &rs); err != nil {
		return fmt.Errorf("decode DevAddr ranges of route %s: %w", r.ID, err)
	}
	if err := json.Unmarshal(pairs, &ps); err != nil {
		return fmt.Errorf("decode EUI pairs of route %s: %w", r.ID, err)
	}
	r.DevAddrRanges, r.EUIPairs = nil, nil
	for _, x := range rs {
		r.DevAddrRanges = append(r.DevAddrRanges, router.DevAddrRange(x))
	}
	for _, x := range ps {
		r.EUIPairs = append(r.EUIPairs, router.EUIPair(x))
	}
	return nil
}
