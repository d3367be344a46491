package api_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestAPIKeyLifecycle: a key is shown once, listed without its secret,
// works until revoked and is refused after.
func TestAPIKeyLifecycle(t *testing.T) {
	a := newAuthServer(t, adminToken)
	body := a.do(t, adminToken, step{"POST", "/api/v1/organisations/acme/api-keys", "", 201,
		[]string{`"organisation":"acme"`, `"created_at":"2026-05-01T12:00:00Z"`}})
	var k struct{ ID, Key, Organisation string }
	if err := json.Unmarshal([]byte(body), &k); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(k.Key, "hxk_"+k.ID+"_") || len(k.Key) != 85 {
		t.Errorf("key %q of ID %q: want hxk_ID_ and 64 hex digits", k.Key, k.ID)
	}
	list := a.do(t, adminToken, step{"GET", "/api/v1/organisations/acme/api-keys", "", 200, []string{`"id":"` + k.ID + `"`}})
	if strings.Contains(list, `"key"`) || strings.Contains(list, k.Key[len(k.Key)-64:]) {
		t.Errorf("the key list shows secrets: %s", list)
	}
	a.do(t, k.Key, step{"GET", "/api/v1/applications", "", 200, []string{`"id":"meters"`}})
	run := func(steps []step) {
		t.Helper()
		for _, s := range steps {
			a.do(t, adminToken, s)
		}
	}
	run([]step{
		{"DELETE", "/api/v1/organisations/zeta/api-keys/" + k.ID, "", 404, nil},
		{"DELETE", "/api/v1/organisations/acme/api-keys/NOT-HEX", "", 400, []string{"key ID"}},
		{"DELETE", "/api/v1/organisations/acme/api-keys/" + k.ID, "", 204, nil},
		{"DELETE", "/api/v1/organisations/acme/api-keys/" + k.ID, "", 404, nil},
		{"POST", "/api/v1/organisations/nobody/api-keys", "", 404, []string{"organisation nobody does not exist"}},
		{"GET", "/api/v1/organisations/nobody/api-keys", "", 404, nil},
		{"GET", "/api/v1/organisations/zeta/api-keys", "", 200, []string{`[]`}},
	})
	a.do(t, k.Key, step{"GET", "/api/v1/applications", "", 401, []string{"revoked"}})
	a.do(t, a.key, step{"GET", "/api/v1/applications", "", 200, nil}) // the other key of acme still works
}

// TestAPIKeysGoWithOrganisation: deleting an organisation revokes its keys.
func TestAPIKeysGoWithOrganisation(t *testing.T) {
	a := newAuthServer(t, adminToken)
	for _, s := range []step{
		{"DELETE", "/api/v1/routes/racme", "", 204, nil},
		{"DELETE", "/api/v1/devices/70b3d57ed0000001", "", 204, nil},
		{"DELETE", "/api/v1/applications/meters", "", 204, nil},
		{"DELETE", "/api/v1/organisations/acme", "", 204, nil},
		{"POST", "/api/v1/organisations", `{"id":"acme"}`, 201, nil},
	} {
		a.do(t, adminToken, s)
	}
	a.do(t, a.key, step{"GET", "/api/v1/organisations/acme", "", 401, nil})
}
