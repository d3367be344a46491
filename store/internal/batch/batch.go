// Package batch puts the batches the router writes (ledger frames, hotspot
// addresses) into the canonical form both storage adapters expect, so
// PostgreSQL and SQLite apply the same rules to the same input.
package batch

import (
	"bytes"
	"slices"
	"strings"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/router"
)

// Frames returns the frames with repeated frame IDs dropped (the first one
// wins) and, within each frame, repeated hotspots dropped (the first copy
// wins). The result is sorted by frame ID so that concurrent writers lock
// rows in the same order. The input is not modified.
func Frames(frames []router.LedgerFrame) []router.LedgerFrame {
	out := make([]router.LedgerFrame, 0, len(frames))
	seen := make(map[[16]byte]bool, len(frames))
	for _, f := range frames {
		if seen[f.ID] {
			continue
		}
		seen[f.ID] = true
		f.Copies = distinctCopies(f.Copies)
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b router.LedgerFrame) int { return bytes.Compare(a.ID[:], b.ID[:]) })
	return out
}

func distinctCopies(copies []router.LedgerCopy) []router.LedgerCopy {
	out := make([]router.LedgerCopy, 0, len(copies))
	seen := make(map[identity.Address]bool, len(copies))
	for _, c := range copies {
		if !seen[c.Hotspot] {
			seen[c.Hotspot] = true
			out = append(out, c)
		}
	}
	return out
}

// Addresses returns the addresses sorted with duplicates removed, so that
// an upsert touches each row once and in a stable order.
func Addresses(addrs []identity.Address) []identity.Address {
	out := slices.Clone(addrs)
	slices.SortFunc(out, func(a, b identity.Address) int { return strings.Compare(string(a), string(b)) })
	return slices.Compact(out)
}
