package manifest

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hexnet/hexnet/identity"
)

func addr(t testing.TB, i int) identity.Address {
	t.Helper()
	seed := make([]byte, 32)
	seed[0], seed[1] = byte(i), byte(i>>8)
	k, err := identity.FromSeed(seed)
	if err != nil {
		t.Fatal(err)
	}
	return k.Address()
}

// sortedAddrs returns n addresses in public-key order, so expectations can
// name "the lowest key".
func sortedAddrs(t testing.TB, n int) []identity.Address {
	out := make([]identity.Address, n)
	for i := range out {
		out[i] = addr(t, i+1)
	}
	sort.Slice(out, func(i, j int) bool {
		a, _ := out[i].PublicKey()
		b, _ := out[j].PublicKey()
		return bytes.Compare(a, b) < 0
	})
	return out
}

func TestBuildByHand(t *testing.T) {
	a := sortedAddrs(t, 3)
	owner := addr(t, 100)
	units := []Units{
		{Hotspot: a[2], Owner: owner, Beacon: 2, Witness: 1},
		{Hotspot: a[0], Owner: owner, Beacon: 1, Witness: 1},
		{Hotspot: a[1], Owner: owner, Witness: 1},
	}
	m, err := Build(5, 1_000_000, HeliumIoTSplit, units)
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{Hotspot: a[0], Owner: owner, Beacon: 20_000, Witness: 80_000, Total: 100_000},
		{Hotspot: a[1], Owner: owner, Witness: 80_000, Total: 80_000},
		{Hotspot: a[2], Owner: owner, Beacon: 40_000, Witness: 80_000, Total: 120_000},
	}
	if diff := cmp.Diff(want, m.Entries); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	// No data was carried: the data pool (500,000) and the 6 % treasury
	// share stay unallocated, in the open.
	if m.Operations != 70_000 || m.Oracles != 70_000 || m.Unallocated != 560_000 {
		t.Errorf("operations %d, oracles %d, unallocated %d", m.Operations, m.Oracles, m.Unallocated)
	}
}

// TestRemainderGoesToLowestKeys: 10 units of a pool among 3 equal shares
// pay 4, 3, 3, the odd one to the lowest public key.
func TestRemainderGoesToLowestKeys(t *testing.T) {
	a := sortedAddrs(t, 3)
	owner := addr(t, 100)
	split := Split{Beacon: PPM}
	m, err := Build(1, 10, split, []Units{
		{Hotspot: a[1], Owner: owner, Beacon: 7}, {Hotspot: a[2], Owner: owner, Beacon: 7}, {Hotspot: a[0], Owner: owner, Beacon: 7},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := []uint64{m.Entries[0].Total, m.Entries[1].Total, m.Entries[2].Total}
	if diff := cmp.Diff([]uint64{4, 3, 3}, got); diff != "" {
		t.Errorf("totals (-want +got):\n%s", diff)
	}
}

// TestSumIsEmissionAndOrderFree: for random epochs, what is paid plus what
// is set aside equals the emission exactly, and shuffling the input changes
// nothing.
func TestSumIsEmissionAndOrderFree(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	owners := sortedAddrs(t, 5)
	for round := 0; round < 200; round++ {
		units := randomUnits(t, r, owners)
		emission := r.Uint64N(1 << 50)
		m, err := Build(uint64(round), emission, HeliumIoTSplit, units)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Sum() + m.Operations + m.Oracles + m.Unallocated; got != emission {
			t.Fatalf("round %d: paid %d + set aside %d = %d, emission %d", round, m.Sum(), m.Operations+m.Oracles+m.Unallocated, got, emission)
		}
		r.Shuffle(len(units), func(i, j int) { units[i], units[j] = units[j], units[i] })
		again, _ := Build(uint64(round), emission, HeliumIoTSplit, units)
		if diff := cmp.Diff(m, again); diff != "" {
			t.Fatalf("round %d: input order changed the manifest:\n%s", round, diff)
		}
	}
}

func randomUnits(t *testing.T, r *rand.Rand, owners []identity.Address) []Units {
	n := r.IntN(40)
	out := make([]Units, n)
	for i := range out {
		out[i] = Units{Hotspot: addr(t, 1000+i), Owner: owners[r.IntN(len(owners))]}
		if r.IntN(3) > 0 {
			out[i].Beacon = r.Uint64N(3_000_000)
		}
		if r.IntN(3) > 0 {
			out[i].Witness = r.Uint64N(1_000_000)
		}
		if r.IntN(2) > 0 {
			out[i].Data = r.Uint64N(10_000)
		}
	}
	return out
}

func TestBuildRejects(t *testing.T) {
	a := addr(t, 1)
	cases := map[string]struct {
		split Split
		units []Units
		want  error
	}{
		"split over one": {Split{Beacon: PPM, Data: 1}, nil, ErrSplit},
		"bad hotspot":    {HeliumIoTSplit, []Units{{Hotspot: "nope", Owner: a}}, ErrUnits},
		"bad owner":      {HeliumIoTSplit, []Units{{Hotspot: a, Owner: ""}}, ErrUnits},
		"twice":          {HeliumIoTSplit, []Units{{Hotspot: a, Owner: a}, {Hotspot: a, Owner: a}}, ErrUnits},
	}
	for name, c := range cases {
		if _, err := Build(1, 100, c.split, c.units); !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", name, err, c.want)
		}
	}
}

func TestMerkleProofs(t *testing.T) {
	owner := addr(t, 100)
	for n := 0; n <= 9; n++ {
		entries := make([]Entry, n)
		for i := range entries {
			entries[i] = Entry{Hotspot: addr(t, i+1), Owner: owner, Beacon: uint64(i), Total: uint64(i)}
		}
		root, err := Root(7, entries)
		if err != nil {
			t.Fatal(err)
		}
		shuffled := append([]Entry(nil), entries...)
		rand.New(rand.NewPCG(uint64(n), 9)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if again, _ := Root(7, shuffled); again != root {
			t.Errorf("n=%d: root depends on entry order", n)
		}
		for i, e := range entries {
			proof, err := Proof(7, entries, e.Hotspot)
			if err != nil {
				t.Fatal(err)
			}
			if !Verify(7, e, proof, root) {
				t.Errorf("n=%d: proof of entry %d does not verify", n, i)
			}
			forged := e
			forged.Total++
			if Verify(7, forged, proof, root) {
				t.Errorf("n=%d: a forged entry %d verifies", n, i)
			}
			if Verify(8, e, proof, root) {
				t.Errorf("n=%d: entry %d verifies under another epoch", n, i)
			}
		}
		if _, err := Proof(7, entries, owner); !errors.Is(err, ErrIndex) {
			t.Errorf("proof past the end: %v", err)
		}
	}
	if r, _ := Root(1, nil); r != emptyRoot {
		t.Error("empty manifest root changed")
	}
}

func BenchmarkBuild(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	owners := sortedAddrs(b, 10)
	units := make([]Units, 1000)
	for i := range units {
		units[i] = Units{Hotspot: addr(b, 1000+i), Owner: owners[i%10], Beacon: r.Uint64N(1e6), Witness: r.Uint64N(1e6), Data: r.Uint64N(1e4)}
	}
	for b.Loop() {
		m, _ := Build(1, 1e12, HeliumIoTSplit, units)
		if _, err := Root(1, m.Entries); err != nil {
			b.Fatal(err)
		}
	}
}
