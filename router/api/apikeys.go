package api

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store"
)

// An organisation API key is "hxk_" ID "_" SECRET: the ID (16 hex digits)
// names the key in the API and in the store, the secret (64 hex digits,
// 256 random bits) is shown once and stored only as its SHA-256.
const (
	orgKeyPrefix    = "hxk_"
	orgKeyIDLen     = 16
	orgKeySecretLen = 64
	orgKeyLen       = len(orgKeyPrefix) + orgKeyIDLen + 1 + orgKeySecretLen
)

// parseOrgKey splits an organisation key into its ID and its secret's
// bytes; ok is false for anything else.
func parseOrgKey(token string) (id string, secret []byte, ok bool) {
	if len(token) != orgKeyLen || !strings.HasPrefix(token, orgKeyPrefix) {
		return "", nil, false
	}
	id, rest, found := strings.Cut(token[len(orgKeyPrefix):], "_")
	if !found || !isLowerHex(id, orgKeyIDLen) || !isLowerHex(rest, orgKeySecretLen) {
		return "", nil, false
	}
	secret, _ = hex.DecodeString(rest)
	return id, secret, true
}

// isLowerHex reports whether s is n lower-case hex digits.
func isLowerHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !('0' <= s[i] && s[i] <= '9' || 'a' <= s[i] && s[i] <= 'f') {
			return false
		}
	}
	return true
}

// newOrgKey makes a key for org: the record to store and the token to
// show once.
func newOrgKey(org string, now time.Time) (router.APIKey, string) {
	id := make([]byte, orgKeyIDLen/2)
	secret := make([]byte, orgKeySecretLen/2)
	rand.Read(id)
	rand.Read(secret)
	k := router.APIKey{ID: hex.EncodeToString(id), Organisation: org, SecretHash: sha256.Sum256(secret), CreatedAt: now}
	return k, orgKeyPrefix + k.ID + "_" + hex.EncodeToString(secret)
}

// apiKeyJSON is an organisation API key in responses; Key, the token, is
// only in the answer that creates it.
type apiKeyJSON struct {
	ID           string    `json:"id"`
	Key          string    `json:"key,omitempty"`
	Organisation string    `json:"organisation"`
	CreatedAt    time.Time `json:"created_at"`
}

// createAPIKey: POST /api/v1/organisations/{id}/api-keys → 201 with the key.
func (s *server) createAPIKey(r *http.Request) (*response, error) {
	org, err := pathID(r)
	if err != nil {
		return nil, err
	}
	k, token := newOrgKey(org, s.clock.Now().UTC())
	err = s.store.CreateAPIKey(r.Context(), k)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errorf(http.StatusNotFound, "organisation %s does not exist; create it first", org)
	}
	if err != nil {
		return nil, err
	}
	s.log.Info("organisation API key created", "organisation", org, "key", k.ID)
	return created(apiKeyJSON{ID: k.ID, Key: token, Organisation: org, CreatedAt: k.CreatedAt})
}

// listAPIKeys: GET /api/v1/organisations/{id}/api-keys → the keys, without
// their secrets.
func (s *server) listAPIKeys(r *http.Request) (*response, error) {
	org, err := pathID(r)
	if err != nil {
		return nil, err
	}
	if _, err := s.store.GetOrganisation(r.Context(), org); err != nil {
		return nil, err
	}
	ks, err := s.store.ListAPIKeys(r.Context(), org)
	if err != nil {
		return nil, err
	}
	out := make([]apiKeyJSON, len(ks))
	for i, k := range ks {
		out[i] = apiKeyJSON{ID: k.ID, Organisation: k.Organisation, CreatedAt: k.CreatedAt}
	}
	return ok(out)
}

// deleteAPIKey: DELETE /api/v1/organisations/{id}/api-keys/{keyID} revokes
// the key at once.
func (s *server) deleteAPIKey(r *http.Request) (*response, error) {
	org, err := pathID(r)
	if err != nil {
		return nil, err
	}
	id := r.PathValue("keyID")
	if !isLowerHex(id, orgKeyIDLen) {
		return nil, badRequest("key ID %q: want %d lower-case hex digits", id, orgKeyIDLen)
	}
	if err := s.store.DeleteAPIKey(r.Context(), org, id); err != nil {
		return nil, err
	}
	s.log.Info("organisation API key revoked", "organisation", org, "key", id)
	return noContent()
}
