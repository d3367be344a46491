package identity

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/gagliardetto/solana-go"
	"google.golang.org/protobuf/proto"

	"github.com/hexnet/hexnet/proto/hexnetpb"
)

func mustKey(t testing.TB) *Key {
	t.Helper()
	k, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestKeyFileIsSolanaCompatible checks the file format against solana-go's
// own reader: the Solana CLI and hexnet must agree on key and address.
func TestKeyFileIsSolanaCompatible(t *testing.T) {
	k := mustKey(t)
	path := filepath.Join(t.TempDir(), "hotspot.json")
	if err := k.Save(path); err != nil {
		t.Fatal(err)
	}
	sk, err := solana.PrivateKeyFromSolanaKeygenFile(path)
	if err != nil {
		t.Fatalf("solana-go cannot read our key file: %v", err)
	}
	if got := sk.PublicKey().String(); got != k.Address().String() {
		t.Errorf("solana address %s, ours %s", got, k.Address())
	}
	back, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.Address() != k.Address() {
		t.Errorf("reloaded address %s, want %s", back.Address(), k.Address())
	}
	if err := k.Save(path); err == nil {
		t.Error("Save overwrote an existing key file")
	}
}

func TestLoadRefusesReadableKey(t *testing.T) {
	k := mustKey(t)
	path := filepath.Join(t.TempDir(), "k.json")
	if err := os.WriteFile(path, k.Marshal(), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); !errors.Is(err, ErrKeyFileMode) {
		t.Fatalf("Load of a 0644 key: err = %v, want ErrKeyFileMode", err)
	}
}

func TestParseRejects(t *testing.T) {
	k := mustKey(t)
	tampered := k.Bytes()
	tampered[40] ^= 1
	var tamperedJSON []byte
	{
		k2 := &Key{priv: tampered}
		tamperedJSON = k2.Marshal()
	}
	cases := map[string]string{
		"not json":        "hello",
		"short":           "[1,2,3]",
		"byte range":      "[" + repeat("300,", 63) + "1]",
		"public mismatch": string(tamperedJSON),
	}
	for name, in := range cases {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("%s: Parse accepted %q", name, in)
		}
	}
}

func repeat(s string, n int) string {
	out := ""
	for range n {
		out += s
	}
	return out
}

func TestAddress(t *testing.T) {
	k := mustKey(t)
	pub, err := k.Address().PublicKey()
	if err != nil || !pub.Equal(k.Public()) {
		t.Fatalf("address round trip: %v", err)
	}
	if _, err := solana.PublicKeyFromBase58(k.Address().String()); err != nil {
		t.Errorf("not a Solana public key: %v", err)
	}
	for _, bad := range []Address{"", "0OIl", "abc", Address(repeat("1", 50))} {
		if bad.Valid() {
			t.Errorf("%q reads as valid", bad)
		}
	}
}

func TestSealOpen(t *testing.T) {
	k := mustKey(t)
	up := &hexnetpb.Uplink{PhyPayload: []byte{1, 2, 3}, FrequencyHz: 868100000, Rssi: -80}
	raw, err := k.SealBytes(KindUplink, up)
	if err != nil {
		t.Fatal(err)
	}
	var got hexnetpb.Uplink
	addr, err := OpenBytes(raw, KindUplink, &got)
	if err != nil {
		t.Fatal(err)
	}
	if addr != k.Address() || !proto.Equal(&got, up) {
		t.Errorf("opened %v from %s, want %v from %s", &got, addr, up, k.Address())
	}
}

// TestDomainSeparation: a signature for one kind never passes for another,
// even when the envelope's kind field is rewritten to match.
func TestDomainSeparation(t *testing.T) {
	k := mustKey(t)
	env, err := k.Seal(KindWitness, &hexnetpb.Uplink{PhyPayload: []byte{9}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(env, KindUplink, &hexnetpb.Uplink{}); !errors.Is(err, ErrWrongKind) {
		t.Errorf("kind mismatch: err = %v, want ErrWrongKind", err)
	}
	env.Kind = string(KindUplink)
	if _, err := Open(env, KindUplink, &hexnetpb.Uplink{}); !errors.Is(err, ErrBadSignature) {
		t.Errorf("relabelled kind: err = %v, want ErrBadSignature", err)
	}
}

func TestOpenRejects(t *testing.T) {
	k := mustKey(t)
	good, _ := k.Seal(KindUplink, &hexnetpb.Uplink{PhyPayload: []byte{1}})
	cases := map[string]func(e *hexnetpb.Signed){
		"flipped body":   func(e *hexnetpb.Signed) { e.Body = append([]byte{}, e.Body...); e.Body[0] ^= 1 },
		"short sig":      func(e *hexnetpb.Signed) { e.Signature = e.Signature[:10] },
		"other signer":   func(e *hexnetpb.Signed) { e.Signer = mustKey(t).Public() },
		"no signer":      func(e *hexnetpb.Signed) { e.Signer = nil },
		"unsigned":       func(e *hexnetpb.Signed) { e.Signature = nil },
		"garbage body":   func(e *hexnetpb.Signed) { e.Body = []byte{0xff}; e.Signature = k.Sign(KindUplink, e.Body) },
		"wrong kind tag": func(e *hexnetpb.Signed) { e.Kind = "" },
	}
	for name, mutate := range cases {
		e := proto.Clone(good).(*hexnetpb.Signed)
		mutate(e)
		if _, err := Open(e, KindUplink, &hexnetpb.Uplink{}); err == nil {
			t.Errorf("%s: Open accepted it", name)
		}
	}
	if _, err := OpenBytes([]byte{0xff, 0xff}, KindUplink, &hexnetpb.Uplink{}); !errors.Is(err, ErrBadBody) {
		t.Errorf("garbage envelope: err = %v, want ErrBadBody", err)
	}
}

func FuzzOpenBytes(f *testing.F) {
	k, _ := FromSeed(make([]byte, 32))
	good, _ := k.SealBytes(KindUplink, &hexnetpb.Uplink{PhyPayload: []byte{1, 2}})
	f.Add(good)
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0xff})
	f.Fuzz(func(t *testing.T, raw []byte) {
		var up hexnetpb.Uplink
		_, _ = OpenBytes(raw, KindUplink, &up)
	})
}

func BenchmarkVerify(b *testing.B) {
	k := mustKey(b)
	raw, _ := k.SealBytes(KindUplink, &hexnetpb.Uplink{PhyPayload: make([]byte, 30)})
	var up hexnetpb.Uplink
	for b.Loop() {
		if _, err := OpenBytes(raw, KindUplink, &up); err != nil {
			b.Fatal(err)
		}
	}
}
