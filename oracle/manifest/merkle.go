package manifest

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"slices"
	"sort"

	"github.com/hexnet/hexnet/identity"
)

// Leaf hashes one entry: 0x00 || hotspot key || owner key || beacon ||
// witness || data || total (big-endian uint64s). The prefix keeps leaves
// and inner nodes apart, so no inner node can pass for an entry.
func Leaf(epoch uint64, e Entry) ([32]byte, error) {
	hotspot, err := e.Hotspot.PublicKey()
	if err != nil {
		return [32]byte{}, err
	}
	owner, err := e.Owner.PublicKey()
	if err != nil {
		return [32]byte{}, err
	}
	buf := make([]byte, 0, 1+8+32+32+4*8)
	buf = append(buf, 0x00)
	buf = binary.BigEndian.AppendUint64(buf, epoch)
	buf = append(buf, hotspot...)
	buf = append(buf, owner...)
	for _, v := range []uint64{e.Beacon, e.Witness, e.Data, e.Total} {
		buf = binary.BigEndian.AppendUint64(buf, v)
	}
	return sha256.Sum256(buf), nil
}

func node(left, right [32]byte) [32]byte {
	buf := make([]byte, 0, 65)
	buf = append(buf, 0x01)
	buf = append(buf, left[:]...)
	return sha256.Sum256(append(buf, right[:]...))
}

// emptyRoot is the root of an epoch with no entries.
var emptyRoot = sha256.Sum256([]byte("hexnet/manifest/empty"))

// Root is the Merkle root of the manifest's entries in canonical order (by
// hotspot public key; see Sort), whatever order they are passed in. An odd
// node at any level is carried up unchanged.
func Root(epoch uint64, entries []Entry) ([32]byte, error) {
	level, err := leaves(epoch, Sort(entries))
	if err != nil || len(level) == 0 {
		return emptyRoot, err
	}
	for len(level) > 1 {
		level = up(level)
	}
	return level[0], nil
}

func leaves(epoch uint64, entries []Entry) ([][32]byte, error) {
	out := make([][32]byte, len(entries))
	for i, e := range entries {
		l, err := Leaf(epoch, e)
		if err != nil {
			return nil, err
		}
		out[i] = l
	}
	return out, nil
}

func up(level [][32]byte) [][32]byte {
	next := make([][32]byte, 0, (len(level)+1)/2)
	for i := 0; i+1 < len(level); i += 2 {
		next = append(next, node(level[i], level[i+1]))
	}
	if len(level)%2 == 1 {
		next = append(next, level[len(level)-1])
	}
	return next
}

// ProofStep is one sibling on the path from a leaf to the root.
type ProofStep struct {
	Sibling [32]byte
	Left    bool // the sibling is on the left
}

// ErrIndex reports a proof asked for a hotspot the manifest does not pay.
var ErrIndex = errors.New("manifest: no entry for that hotspot")

// Proof returns the path that proves a hotspot's entry is in the manifest,
// so an owner can check their reward against the root on chain.
func Proof(epoch uint64, entries []Entry, hotspot identity.Address) ([]ProofStep, error) {
	sorted := Sort(entries)
	i := slices.IndexFunc(sorted, func(e Entry) bool { return e.Hotspot == hotspot })
	if i < 0 {
		return nil, ErrIndex
	}
	level, err := leaves(epoch, sorted)
	if err != nil {
		return nil, err
	}
	var proof []ProofStep
	for len(level) > 1 {
		if sib := i ^ 1; sib < len(level) {
			proof = append(proof, ProofStep{Sibling: level[sib], Left: sib < i})
		}
		level, i = up(level), i/2
	}
	return proof, nil
}

// Verify checks a proof of one entry against a root.
func Verify(epoch uint64, e Entry, proof []ProofStep, root [32]byte) bool {
	h, err := Leaf(epoch, e)
	if err != nil {
		return false
	}
	for _, s := range proof {
		if s.Left {
			h = node(s.Sibling, h)
		} else {
			h = node(h, s.Sibling)
		}
	}
	return h == root
}

// Sort returns the entries in canonical order: by hotspot public key bytes
// (stores may list them by address text, which orders differently).
func Sort(entries []Entry) []Entry {
	out := append([]Entry(nil), entries...)
	key := func(e Entry) []byte {
		k, _ := e.Hotspot.PublicKey()
		return k
	}
	sort.SliceStable(out, func(i, j int) bool { return bytes.Compare(key(out[i]), key(out[j])) < 0 })
	return out
}
