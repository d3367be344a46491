// Package manifest builds an epoch's reward manifest: it splits the epoch's
// emission into pools, shares each pool among hotspots in proportion to
// their integer reward units, and fixes the result with a Merkle root.
// Everything is integer arithmetic with explicit remainders, so anyone who
// re-runs an epoch gets the same manifest and root, bit for bit.
package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"
	"sort"

	"github.com/hexnet/hexnet/identity"
)

// PPM is one million: splits are in parts per million.
const PPM = 1_000_000

// Split divides an epoch's emission, in parts per million summing to PPM.
type Split struct {
	Beacon     uint64
	Witness    uint64
	Data       uint64
	Operations uint64
	Oracles    uint64
}

// HeliumIoTSplit is Helium IoT's split before HIP 149: beacons 6 %,
// witnesses 24 %, data 50 %, operations 7 %, oracles 7 %. The remaining 6 %
// (Helium's treasury share) stays unallocated, and is accounted as such.
var HeliumIoTSplit = Split{Beacon: 60_000, Witness: 240_000, Data: 500_000, Operations: 70_000, Oracles: 70_000}

// Entry is one hotspot's reward in an epoch, in the mint's base units.
type Entry struct {
	Hotspot identity.Address
	Owner   identity.Address
	Beacon  uint64
	Witness uint64
	Data    uint64
	Total   uint64
}

// Units are one hotspot's integer reward weights in an epoch.
type Units struct {
	Hotspot identity.Address
	Owner   identity.Address
	Beacon  uint64 // scaled beacon units
	Witness uint64 // scaled witness units
	Data    uint64 // data credits carried
}

// Manifest is an epoch's rewards. Invariant: the entries' totals plus
// Operations, Oracles and Unallocated equal Emission exactly.
type Manifest struct {
	Epoch       uint64
	Emission    uint64
	Entries     []Entry // sorted by hotspot public key
	Operations  uint64
	Oracles     uint64
	Unallocated uint64 // pools nobody earned, and the split's remainder
}

// Errors.
var (
	ErrSplit = errors.New("manifest: split does not sum to one million ppm")
	ErrUnits = errors.New("manifest: bad units")
)

// Build computes the manifest of an epoch.
func Build(epoch, emission uint64, split Split, units []Units) (Manifest, error) {
	if split.Beacon+split.Witness+split.Data+split.Operations+split.Oracles > PPM {
		return Manifest{}, fmt.Errorf("%w: %+v", ErrSplit, split)
	}
	if err := checkUnits(units); err != nil {
		return Manifest{}, err
	}
	m := Manifest{Epoch: epoch, Emission: emission}
	m.Operations = share(emission, split.Operations, PPM)
	m.Oracles = share(emission, split.Oracles, PPM)
	pools := [3]uint64{share(emission, split.Beacon, PPM), share(emission, split.Witness, PPM), share(emission, split.Data, PPM)}
	m.Unallocated = emission - m.Operations - m.Oracles - pools[0] - pools[1] - pools[2]
	entries := entriesOf(units)
	for kind, pool := range pools {
		m.Unallocated += distribute(pool, entries, kind)
	}
	m.Entries = nonZero(entries)
	return m, nil
}

func checkUnits(units []Units) error {
	seen := map[identity.Address]bool{}
	for _, u := range units {
		if _, err := u.Hotspot.PublicKey(); err != nil {
			return fmt.Errorf("%w: hotspot %q", ErrUnits, u.Hotspot)
		}
		if _, err := u.Owner.PublicKey(); err != nil {
			return fmt.Errorf("%w: owner %q of %s", ErrUnits, u.Owner, u.Hotspot)
		}
		if seen[u.Hotspot] {
			return fmt.Errorf("%w: hotspot %s listed twice", ErrUnits, u.Hotspot)
		}
		seen[u.Hotspot] = true
	}
	return nil
}

// share is floor(amount × num / den) without overflow.
func share(amount, num, den uint64) uint64 {
	var r big.Int
	r.Mul(new(big.Int).SetUint64(amount), new(big.Int).SetUint64(num))
	r.Quo(&r, new(big.Int).SetUint64(den))
	return r.Uint64()
}

// entry pairs a manifest entry with its units while the pools are shared.
type entry struct {
	Entry
	key   []byte
	units [3]uint64
}

func entriesOf(units []Units) []*entry {
	out := make([]*entry, len(units))
	for i, u := range units {
		key, _ := u.Hotspot.PublicKey()
		out[i] = &entry{Entry: Entry{Hotspot: u.Hotspot, Owner: u.Owner}, key: key, units: [3]uint64{u.Beacon, u.Witness, u.Data}}
	}
	sort.Slice(out, func(i, j int) bool { return bytes.Compare(out[i].key, out[j].key) < 0 })
	return out
}

// distribute shares pool among the entries by their units of one kind with
// the largest-remainder method (ties to the lower public key); it returns
// what nobody earned (the whole pool when no entry has units).
func distribute(pool uint64, entries []*entry, kind int) uint64 {
	var total uint64
	for _, e := range entries {
		total += e.units[kind]
	}
	if total == 0 {
		return pool
	}
	paid := uint64(0)
	rems := make([]remainder, 0, len(entries))
	for i, e := range entries {
		amount, rem := divmod(pool, e.units[kind], total)
		e.add(kind, amount)
		paid += amount
		rems = append(rems, remainder{index: i, rem: rem})
	}
	sort.SliceStable(rems, func(i, j int) bool { return rems[i].rem.Cmp(rems[j].rem) > 0 })
	for i := uint64(0); i < pool-paid; i++ {
		entries[rems[i].index].add(kind, 1)
	}
	return 0
}

type remainder struct {
	index int
	rem   *big.Int
}

// divmod returns floor(pool × units / total) and its remainder.
func divmod(pool, units, total uint64) (uint64, *big.Int) {
	var q, r big.Int
	q.Mul(new(big.Int).SetUint64(pool), new(big.Int).SetUint64(units))
	q.QuoRem(&q, new(big.Int).SetUint64(total), &r)
	return q.Uint64(), &r
}

func (e *entry) add(kind int, amount uint64) {
	switch kind {
	case 0:
		e.Beacon += amount
	case 1:
		e.Witness += amount
	case 2:
		e.Data += amount
	}
	e.Total += amount
}

func nonZero(entries []*entry) []Entry {
	out := make([]Entry, 0, len(entries))
	for _, e := range entries {
		if e.Total > 0 {
			out = append(out, e.Entry)
		}
	}
	return out
}

// Sum adds the entries' totals.
func (m Manifest) Sum() uint64 {
	var s uint64
	for _, e := range m.Entries {
		s += e.Total
	}
	return s
}
