package brokerauth

import (
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"github.com/hexnet/hexnet/identity"
)

func mustKey(t testing.TB, seed byte) *identity.Key {
	t.Helper()
	s := make([]byte, 32)
	s[0] = seed
	k, err := identity.FromSeed(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustIssue(t *testing.T, k *identity.Key, at time.Time, life time.Duration) string {
	t.Helper()
	tok, err := Issue(k, at, life)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// resign replaces a token's body fields and signs it again with k, so that
// only the field under test is wrong.
func resign(t *testing.T, k *identity.Key, tok string, edit func(body []byte)) string {
	t.Helper()
	raw, err := encoding.DecodeString(tok)
	if err != nil {
		t.Fatal(err)
	}
	body := raw[:bodyLen]
	edit(body)
	return encoding.EncodeToString(append(body, k.Sign(identity.KindBrokerAuth, body)...))
}

func TestVerify(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	a, b := mustKey(t, 1), mustKey(t, 2)
	v := &Verifier{Now: func() time.Time { return now }}
	good := mustIssue(t, a, now, 0)
	// Another base64url letter in the signature: the token still decodes
	// (flipping bits could make it '.' or the like: malformed, not tampered).
	tampered := []byte(good)
	tampered[len(tampered)-3] = 'A'
	if good[len(good)-3] == 'A' {
		tampered[len(tampered)-3] = 'B'
	}
	otherKind := resign(t, a, good, func([]byte) {})
	raw, _ := encoding.DecodeString(otherKind)
	otherKind = encoding.EncodeToString(append(raw[:bodyLen:bodyLen], a.Sign(identity.KindState, raw[:bodyLen])...))
	cases := []struct {
		name  string
		addr  identity.Address
		token string
		want  error
	}{
		{"fresh", a.Address(), good, nil},
		{"issued a little in the future (skew)", a.Address(), mustIssue(t, a, now.Add(4*time.Minute), 0), nil},
		{"expired a little ago (skew)", a.Address(), mustIssue(t, a, now.Add(-time.Hour-4*time.Minute), 0), nil},
		{"expired", a.Address(), mustIssue(t, a, now.Add(-2*time.Hour), 0), ErrExpired},
		{"future-dated", a.Address(), mustIssue(t, a, now.Add(10*time.Minute), 0), ErrNotYetValid},
		{"lifetime too long", a.Address(), mustIssue(t, a, now, 48*time.Hour), ErrLifetimeTooLong},
		{"another hotspot's token", b.Address(), good, ErrWrongSigner},
		{"signed by another key for this address", a.Address(), resign(t, b, good, func([]byte) {}), ErrBadSignature},
		{"signature of another kind", a.Address(), otherKind, ErrBadSignature},
		{"tampered", a.Address(), string(tampered), ErrBadSignature},
		{"expires before issued", a.Address(), resign(t, a, good, func(body []byte) {
			binary.BigEndian.PutUint64(body[offExpires:], uint64(now.Add(-time.Second).Unix()))
		}), ErrMalformed},
		{"unknown version", a.Address(), resign(t, a, good, func(body []byte) { body[0] = 2 }), ErrMalformed},
		{"empty", a.Address(), "", ErrMalformed},
		{"not base64url", a.Address(), "!!!!", ErrMalformed},
		{"truncated", a.Address(), good[:len(good)-4], ErrMalformed},
		{"username not an address", "router", good, ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := v.Verify(c.addr, c.token)
			if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
				t.Errorf("Verify = %v, want %v", err, c.want)
			}
		})
	}
}

func TestCredentialsFresh(t *testing.T) {
	k := mustKey(t, 3)
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	creds := Credentials(k, func() time.Time { return now })
	u1, p1 := creds()
	now = now.Add(3 * time.Hour)
	u2, p2 := creds()
	if u1 != string(k.Address()) || u2 != u1 {
		t.Fatalf("usernames %q %q, want %q", u1, u2, k.Address())
	}
	v := &Verifier{Now: func() time.Time { return now }}
	if err := v.Verify(k.Address(), p2); err != nil {
		t.Errorf("fresh token refused: %v", err)
	}
	if err := v.Verify(k.Address(), p1); !errors.Is(err, ErrExpired) {
		t.Errorf("old token: %v, want ErrExpired", err)
	}
}

// FuzzVerify: arbitrary passwords never crash the verifier, and whatever
// it accepts carries a valid signature by the hotspot's key.
func FuzzVerify(f *testing.F) {
	k := mustKey(f, 4)
	now := time.Unix(1_750_000_000, 0)
	tok, err := Issue(k, now, 0)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(tok)
	f.Add("")
	f.Add(tok[:40])
	v := &Verifier{Now: func() time.Time { return now }}
	f.Fuzz(func(t *testing.T, s string) {
		if v.Verify(k.Address(), s) != nil {
			return
		}
		raw, err := encoding.DecodeString(s)
		if err != nil || len(raw) != tokenLen {
			t.Fatalf("accepted %q of %d bytes", s, len(raw))
		}
		if identity.Verify(k.Public(), identity.KindBrokerAuth, raw[:bodyLen], raw[bodyLen:]) != nil {
			t.Fatalf("accepted a token without a valid signature: %q", s)
		}
	})
}
