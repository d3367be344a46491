// Package brokerauth is how a hotspot proves its identity to an MQTT broker
// and what it may do there. The hotspot connects with its base58 address as
// username and a short-lived token signed by its key as password; a broker
// that can run Go (the embedded one) verifies the token, and every broker
// confines the hotspot to its own topics (Policy).
//
// The package is pure Go with no cgo and imports only identity, so hotspotd
// can carry it on every gateway architecture.
package brokerauth

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/hexnet/hexnet/identity"
)

// Token lifetimes and the clock skew a verifier forgives.
const (
	DefaultLifetime = time.Hour
	DefaultSkew     = 5 * time.Minute
	// DefaultMaxLifetime bounds what a verifier accepts: a token stolen
	// from an unencrypted link is useful for at most this long.
	DefaultMaxLifetime = 24 * time.Hour
)

// Why a token was refused; compare with errors.Is.
var (
	ErrMalformed       = errors.New("brokerauth: token is malformed")
	ErrWrongSigner     = errors.New("brokerauth: token was issued for another address than the username")
	ErrBadSignature    = errors.New("brokerauth: token signature does not verify")
	ErrExpired         = errors.New("brokerauth: token has expired")
	ErrNotYetValid     = errors.New("brokerauth: token is dated in the future (is the hotspot's clock right?)")
	ErrLifetimeTooLong = errors.New("brokerauth: token lifetime exceeds the broker's maximum")
)

// Token layout, before base64url: version, public key, issued-at and
// expires-at (Unix seconds, big-endian), a random nonce, then the ed25519
// signature of kind broker-auth over everything before it.
const (
	tokenVersion = 1
	offPub       = 1
	offIssued    = offPub + 32
	offExpires   = offIssued + 8
	offNonce     = offExpires + 8
	bodyLen      = offNonce + 8
	tokenLen     = bodyLen + 64
)

var encoding = base64.RawURLEncoding

// Issue makes a token for key valid from now for lifetime (DefaultLifetime
// when zero or negative).
func Issue(key *identity.Key, now time.Time, lifetime time.Duration) (string, error) {
	if lifetime <= 0 {
		lifetime = DefaultLifetime
	}
	body := make([]byte, bodyLen, tokenLen)
	body[0] = tokenVersion
	copy(body[offPub:], key.Public())
	binary.BigEndian.PutUint64(body[offIssued:], uint64(now.Unix()))
	binary.BigEndian.PutUint64(body[offExpires:], uint64(now.Add(lifetime).Unix()))
	if _, err := rand.Read(body[offNonce:bodyLen]); err != nil {
		return "", fmt.Errorf("brokerauth: nonce: %w", err)
	}
	return encoding.EncodeToString(append(body, key.Sign(identity.KindBrokerAuth, body)...)), nil
}

// Credentials returns what a hotspot sends at every connection attempt:
// its address and a fresh token. now may be nil (time.Now).
func Credentials(key *identity.Key, now func() time.Time) func() (username, password string) {
	if now == nil {
		now = time.Now
	}
	return func() (string, string) {
		tok, err := Issue(key, now(), DefaultLifetime)
		if err != nil {
			// Only the system's random source can fail; the broker
			// then refuses the empty password and paho retries.
			return string(key.Address()), ""
		}
		return string(key.Address()), tok
	}
}

// Verifier checks tokens. The zero value uses time.Now, DefaultSkew and
// DefaultMaxLifetime.
type Verifier struct {
	Now         func() time.Time
	Skew        time.Duration
	MaxLifetime time.Duration
}

// Verify checks that token was signed by addr's key and is valid now. The
// error says why not.
func (v *Verifier) Verify(addr identity.Address, token string) error {
	pub, err := addr.PublicKey()
	if err != nil {
		return fmt.Errorf("%w: username: %v", ErrMalformed, err)
	}
	raw, err := encoding.DecodeString(token)
	if err != nil || len(raw) != tokenLen {
		return fmt.Errorf("%w: want %d bytes of base64url", ErrMalformed, tokenLen)
	}
	body, sig := raw[:bodyLen], raw[bodyLen:]
	if body[0] != tokenVersion {
		return fmt.Errorf("%w: version %d, want %d", ErrMalformed, body[0], tokenVersion)
	}
	if !bytes.Equal(body[offPub:offIssued], pub) {
		return ErrWrongSigner
	}
	if identity.Verify(pub, identity.KindBrokerAuth, body, sig) != nil {
		return ErrBadSignature
	}
	return v.checkTimes(body)
}

func (v *Verifier) checkTimes(body []byte) error {
	issued := time.Unix(int64(binary.BigEndian.Uint64(body[offIssued:])), 0)
	expires := time.Unix(int64(binary.BigEndian.Uint64(body[offExpires:])), 0)
	now, skew, maxLife := v.settings()
	switch {
	case !expires.After(issued):
		return fmt.Errorf("%w: expires %s, not after it was issued", ErrMalformed, expires.UTC().Format(time.RFC3339))
	case expires.Sub(issued) > maxLife:
		return fmt.Errorf("%w: %s > %s", ErrLifetimeTooLong, expires.Sub(issued), maxLife)
	case issued.After(now.Add(skew)):
		return fmt.Errorf("%w: issued %s, now %s", ErrNotYetValid, issued.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	case !now.Add(-skew).Before(expires):
		return fmt.Errorf("%w: at %s, now %s", ErrExpired, expires.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return nil
}

func (v *Verifier) settings() (now time.Time, skew, maxLife time.Duration) {
	now, skew, maxLife = time.Now(), DefaultSkew, DefaultMaxLifetime
	if v.Now != nil {
		now = v.Now()
	}
	if v.Skew > 0 {
		skew = v.Skew
	}
	if v.MaxLifetime > 0 {
		maxLife = v.MaxLifetime
	}
	return now, skew, maxLife
}
