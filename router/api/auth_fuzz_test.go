package api

import (
	"encoding/hex"
	"strings"
	"testing"
)

// FuzzBearerToken: the Authorization header is read from the network.
// Whatever it holds, parsing does not panic, and a token it accepts is
// token68, bounded, and read back the same from "Bearer TOKEN"; an
// organisation key it accepts is rebuilt exactly from its parts.
func FuzzBearerToken(f *testing.F) {
	for _, s := range []string{
		"Bearer 0123456789abcdef0123456789abcdef",
		"bearer  abc==",
		"Basic YWRtaW46YWRtaW4=",
		"Bearer",
		"Bearer ",
		"Bearer a b",
		"Bearer =",
		"Bearer hxk_0123456789abcdef_" + strings.Repeat("ab", 32),
		"Bearer hxk_0123456789abcdeF_" + strings.Repeat("ab", 32),
		"Bearer hxk_0123456789abcdef" + strings.Repeat("ab", 33),
		"Bearer \x00\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		token, err := bearerToken(header)
		if err != nil {
			if token != "" {
				t.Errorf("bearerToken(%q) = %q with error %v", header, token, err)
			}
			return
		}
		if token == "" || len(token) > maxTokenLen || !isToken68(token) || strings.ContainsAny(token, " \t\r\n") {
			t.Errorf("bearerToken(%q) = %q: not a bounded token68", header, token)
		}
		if again, err := bearerToken("Bearer " + token); err != nil || again != token {
			t.Errorf("bearerToken(Bearer %q) = %q, %v", token, again, err)
		}
		id, secret, ok := parseOrgKey(token)
		if !ok {
			return
		}
		if len(secret) != orgKeySecretLen/2 || orgKeyPrefix+id+"_"+hex.EncodeToString(secret) != token {
			t.Errorf("parseOrgKey(%q) = %q, %x: does not rebuild the key", token, id, secret)
		}
	})
}
