// Package mosquitto writes hexnet's broker policy in the form Mosquitto 2.x
// reads: a password file, an ACL file with one pattern per hotspot topic,
// and a configuration that points at both.
//
// Mosquitto cannot verify ed25519 tokens without a plugin, so a hotspot on
// Mosquitto logs in with a fixed password instead: HMAC-SHA256 of its
// address under a secret only the operator holds. The operator regenerates
// the files from the registry at any time without storing passwords (the
// same secret gives the same passwords) and prints one hotspot's password
// for its owner (hotspotd --mqtt-password). The ACL is the same policy the
// embedded broker enforces (brokerauth.MayPublish, MaySubscribe).
package mosquitto

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
)

// MinSecretSize is the shortest operator secret accepted, in bytes.
const MinSecretSize = 32

// ErrShortSecret reports an operator secret below MinSecretSize.
var ErrShortSecret = errors.New("mosquitto: operator secret is shorter than 32 bytes")

// Mosquitto's "$7$" password hash: PBKDF2-HMAC-SHA512 with a 12-byte salt and
// a 64-byte key, written $7$iterations$base64(salt)$base64(key). 101
// iterations is mosquitto_passwd's own default; the passwords are 256-bit
// random strings, so key stretching adds nothing and costs every CONNECT.
const (
	hashIterations = 101
	saltSize       = 12
	hashSize       = sha512.Size
)

const passwordLabel = "hexnet/v1/mosquitto-password\x00"

// Password derives user's MQTT password (a hotspot address or a service
// name) from the operator's secret.
func Password(secret []byte, user string) (string, error) {
	if len(secret) < MinSecretSize {
		return "", ErrShortSecret
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(passwordLabel + user))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)), nil
}

// Hash returns password in Mosquitto's "$7$" form with the given salt
// (saltSize bytes).
func Hash(password string, salt []byte) (string, error) {
	if len(salt) != saltSize {
		return "", fmt.Errorf("mosquitto: salt has %d bytes, want %d", len(salt), saltSize)
	}
	key, err := pbkdf2.Key(sha512.New, password, salt, hashIterations, hashSize)
	if err != nil {
		return "", fmt.Errorf("mosquitto: hash password: %w", err)
	}
	enc := base64.StdEncoding
	return fmt.Sprintf("$7$%d$%s$%s", hashIterations, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}
