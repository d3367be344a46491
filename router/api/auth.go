package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"

	"github.com/hexnet/hexnet/store"
)

// Authentication. Every request but those no route matches carries
// "Authorization: Bearer TOKEN", where TOKEN is one of Options.AdminTokens
// (the operator: everything) or an organisation API key (apikeys.go: its
// own organisation's records, see auth_scope.go). A missing, malformed or
// unknown token is answered 401 with WWW-Authenticate: Bearer; what the
// token may not do, 403.
//
// With no admin tokens the API is open, as it was before API keys: a
// request without Authorization acts as the operator. A token that is sent
// is still checked, so organisation keys keep their scope.

// maxTokenLen bounds a bearer token; an organisation key is 85 bytes.
const maxTokenLen = 512

// principal is who a request acts for: the operator, or one organisation.
type principal struct {
	admin bool
	org   string // for an organisation key
}

// Reasons of failed authentications, the auth failure metric's label.
const (
	failMissing   = "missing"   // no Authorization header
	failMalformed = "malformed" // not "Bearer TOKEN"
	failInvalid   = "invalid"   // an unknown or revoked token
	failForbidden = "forbidden" // a valid token without the right
)

var (
	errNoBearer  = errors.New(`want "Authorization: Bearer TOKEN"`)
	errBadToken  = errors.New("the bearer token is empty, too long or has characters a token cannot have")
	errTwoTokens = errors.New("the request has more than one Authorization header")
)

// authFailure is a request refused by authentication or authorization.
type authFailure struct {
	reason string
	err    error // *apiError: 401 or 403
}

// bearerToken reads the token of an Authorization header value
// (RFC 6750 section 2.1: the scheme is case-insensitive, the token is
// token68).
func bearerToken(header string) (string, error) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", errNoBearer
	}
	token = strings.TrimLeft(token, " ")
	if token == "" || len(token) > maxTokenLen || !isToken68(token) {
		return "", errBadToken
	}
	return token, nil
}

// isToken68 reports whether s is token68: 1*( ALPHA / DIGIT / "-" / "." /
// "_" / "~" / "+" / "/" ) *"=".
func isToken68(s string) bool {
	body := strings.TrimRight(s, "=")
	if body == "" {
		return false
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("-._~+/", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// adminTokens holds the SHA-256 of each admin token: comparing digests of
// equal length in constant time hides the tokens' lengths too.
type adminTokens [][sha256.Size]byte

func newAdminTokens(tokens []string) adminTokens {
	a := make(adminTokens, len(tokens))
	for i, t := range tokens {
		a[i] = sha256.Sum256([]byte(t))
	}
	return a
}

// match compares token with every admin token, without stopping at the
// first match.
func (a adminTokens) match(token string) bool {
	h := sha256.Sum256([]byte(token))
	found := 0
	for i := range a {
		found |= subtle.ConstantTimeCompare(h[:], a[i][:])
	}
	return found == 1
}

// authenticate finds who the request acts for: a failure is the client's
// (401), an error the store's.
func (s *server) authenticate(r *http.Request) (principal, *authFailure, error) {
	values := r.Header.Values("Authorization")
	switch {
	case len(values) == 0 && s.open:
		return principal{admin: true}, nil, nil
	case len(values) == 0:
		return principal{}, &authFailure{failMissing, unauthorized("",
			"authentication required: send Authorization: Bearer TOKEN with an admin token or an organisation API key")}, nil
	case len(values) > 1:
		return principal{}, &authFailure{failMalformed, unauthorized("invalid_request", errTwoTokens.Error())}, nil
	}
	token, err := bearerToken(values[0])
	if err != nil {
		return principal{}, &authFailure{failMalformed, unauthorized("invalid_request", err.Error())}, nil
	}
	if s.admins.match(token) {
		return principal{admin: true}, nil, nil
	}
	org, err := s.orgOfKey(r, token)
	if err != nil {
		return principal{}, nil, err
	}
	if org == "" {
		return principal{}, &authFailure{failInvalid, unauthorized("invalid_token", "invalid or revoked API token")}, nil
	}
	return principal{org: org}, nil, nil
}

// orgOfKey returns the organisation of an organisation API key; "" if the
// token is not a live key.
func (s *server) orgOfKey(r *http.Request, token string) (string, error) {
	id, secret, ok := parseOrgKey(token)
	if !ok {
		return "", nil
	}
	k, err := s.store.GetAPIKey(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	h := sha256.Sum256(secret)
	if subtle.ConstantTimeCompare(h[:], k.SecretHash[:]) != 1 {
		return "", nil
	}
	return k.Organisation, nil
}

// unauthorized is a 401 with its WWW-Authenticate challenge; code is the
// RFC 6750 error code, or empty when no credentials were sent.
func unauthorized(code, msg string) error {
	challenge := `Bearer realm="hexnet-router"`
	if code != "" {
		challenge += `, error="` + code + `"`
	}
	return &apiError{status: http.StatusUnauthorized, msg: msg,
		header: http.Header{"Www-Authenticate": {challenge}}}
}

// forbidden is the 403 of an organisation key on an operator's endpoint.
func forbidden() error {
	return errorf(http.StatusForbidden, "an organisation API key cannot do this; it needs an admin token (router --api-admin-token-file)")
}

// guard authenticates the request and lets it through to h as far as its
// principal may go: an admin always, an organisation key through its
// endpoint's scope (nil: admins only).
func (s *server) guard(h handlerFunc, scope orgScope) handlerFunc {
	return func(r *http.Request) (*response, error) {
		p, fail, err := s.authenticate(r)
		if err != nil {
			return nil, err
		}
		if fail == nil && !p.admin && scope == nil {
			fail = &authFailure{failForbidden, forbidden()}
		}
		if fail != nil {
			s.authFailures.WithLabelValues(fail.reason).Inc()
			return nil, fail.err
		}
		if p.admin {
			return h(r)
		}
		return scope(s, r, p.org, h)
	}
}
