package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/router/api"
	"github.com/hexnet/hexnet/store/sqlitestore"
)

const adminToken = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// authServer is a management API with an admin token over a store holding
// two organisations, acme and zeta, each with an application (meters,
// zapp), a device (…01, …09) and a route (racme, rzeta); key is an API key
// of acme.
type authServer struct {
	srv *httptest.Server
	reg *prometheus.Registry
	key string
}

func newAuthServer(t *testing.T, adminTokens ...string) *authServer {
	t.Helper()
	ctx := context.Background()
	st, err := sqlitestore.Open(ctx, sqlitestore.Memory)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	srv := httptest.NewServer(api.New(api.Options{Store: st, Clock: clock.NewFake(t0), Registerer: reg, AdminTokens: adminTokens}))
	t.Cleanup(srv.Close)
	a := &authServer{srv: srv, reg: reg}
	setup := "" // an open API takes no token
	if len(adminTokens) > 0 {
		setup = adminTokens[0]
	}
	for _, s := range []step{
		{"POST", "/api/v1/organisations", `{"id":"acme"}`, 201, nil},
		{"POST", "/api/v1/organisations", `{"id":"zeta"}`, 201, nil},
		{"POST", "/api/v1/applications", `{"id":"meters","organisation":"acme"}`, 201, nil},
		{"POST", "/api/v1/applications", `{"id":"zapp","organisation":"zeta"}`, 201, nil},
		{"POST", "/api/v1/devices", otaa, 201, nil},
		{"POST", "/api/v1/devices", devIn("70b3d57ed0000009", "zapp"), 201, nil},
		{"POST", "/api/v1/routes", routeIn("racme", "acme"), 201, nil},
		{"POST", "/api/v1/routes", routeIn("rzeta", "zeta"), 201, nil},
	} {
		a.do(t, setup, s)
	}
	var k struct{ Key string }
	body := a.do(t, setup, step{"POST", "/api/v1/organisations/acme/api-keys", "", 201, []string{`"key":"hxk_`}})
	if err := json.Unmarshal([]byte(body), &k); err != nil {
		t.Fatal(err)
	}
	a.key = k.Key
	return a
}

func devIn(eui, app string) string {
	return strings.NewReplacer("70b3d57ed0000001", eui, `"meters"`, `"`+app+`"`).Replace(otaa)
}

func routeIn(id, org string) string {
	return strings.NewReplacer(`"organisation":"acme"`, `"id":"`+id+`","organisation":"`+org+`"`).Replace(routeGen)
}

// send makes a request with a bearer token (none if empty).
func (a *authServer) send(t *testing.T, token, method, path, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, a.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// do is the package's do with a token.
func (a *authServer) do(t *testing.T, token string, s step) string {
	t.Helper()
	resp, body := a.send(t, token, s.method, s.path, s.body)
	if resp.StatusCode != s.status {
		t.Fatalf("%s %s %s: %d %s, want %d", s.method, s.path, s.body, resp.StatusCode, body, s.status)
	}
	for _, c := range s.contains {
		if !strings.Contains(body, c) {
			t.Errorf("%s %s: body %s does not contain %q", s.method, s.path, body, c)
		}
	}
	return body
}

// passes is a status in the table below: any answer but 401, 403 and 404
// (the downlink queue answers 503 without a queue).
const passes = -1

// TestAuthorization: what each role gets on each endpoint. Every request
// that may change something runs on a fresh server, so that changes do not
// leak from one case to the next.
func TestAuthorization(t *testing.T) {
	const (
		dev   = "/api/v1/devices/70b3d57ed0000001"
		other = "/api/v1/devices/70b3d57ed0000009"
	)
	tests := []struct {
		method, path, body string
		anonymous, admin   int
		org                int      // acme's key
		orgHides           []string // what acme's key must not see in a 200
	}{
		{"POST", "/api/v1/organisations", `{"id":"new"}`, 401, 201, 403, nil},
		{"GET", "/api/v1/organisations", "", 401, 200, 200, []string{"zeta"}},
		{"GET", "/api/v1/organisations/acme", "", 401, 200, 200, nil},
		{"GET", "/api/v1/organisations/zeta", "", 401, 200, 404, nil},
		{"DELETE", "/api/v1/organisations/acme", "", 401, 409, 403, nil},
		{"POST", "/api/v1/organisations/acme/credits", `{"dc":5}`, 401, 200, 403, nil},
		{"GET", "/api/v1/organisations/acme/credits", "", 401, 200, 200, nil},
		{"GET", "/api/v1/organisations/zeta/credits", "", 401, 200, 404, nil},
		{"POST", "/api/v1/organisations/acme/api-keys", "", 401, 201, 403, nil},
		{"GET", "/api/v1/organisations/acme/api-keys", "", 401, 200, 403, nil},
		{"DELETE", "/api/v1/organisations/acme/api-keys/0000000000000000", "", 401, 404, 403, nil},
		{"GET", "/api/v1/balances", "", 401, 200, 200, []string{"zeta"}},
		{"POST", "/api/v1/applications", `{"id":"new","organisation":"acme"}`, 401, 201, 201, nil},
		{"POST", "/api/v1/applications", `{"id":"new","organisation":"zeta"}`, 401, 201, 404, nil},
		{"POST", "/api/v1/applications", `{"id":"new","organisation":"zeta","Organisation":"acme"}`, 401, 201, 201, nil},
		{"POST", "/api/v1/applications", `{"id":"new","organisation":"acme"} {}`, 401, 400, 400, nil},
		{"GET", "/api/v1/applications", "", 401, 200, 200, []string{"zapp"}},
		{"GET", "/api/v1/applications?organisation=zeta", "", 401, 200, 404, nil},
		{"GET", "/api/v1/applications/meters", "", 401, 200, 200, nil},
		{"GET", "/api/v1/applications/zapp", "", 401, 200, 404, nil},
		{"DELETE", "/api/v1/applications/zapp", "", 401, 409, 404, nil},
		{"DELETE", "/api/v1/applications/meters", "", 401, 409, 409, nil},
		{"POST", "/api/v1/devices", devIn("70b3d57ed0000002", "meters"), 401, 201, 201, nil},
		{"POST", "/api/v1/devices", devIn("70b3d57ed0000002", "zapp"), 401, 201, 404, nil},
		{"GET", "/api/v1/devices", "", 401, 200, 200, []string{"70b3d57ed0000009"}},
		{"GET", "/api/v1/devices?application=zapp", "", 401, 200, 404, nil},
		{"GET", dev, "", 401, 200, 200, nil},
		{"GET", other, "", 401, 200, 404, nil},
		{"PUT", dev, `{"name":"renamed"}`, 401, 200, 200, nil},
		{"PUT", other, `{"name":"renamed"}`, 401, 200, 404, nil},
		{"PUT", dev, `{"application":"zapp"}`, 401, 400, 400, nil},
		{"DELETE", dev, "", 401, 204, 204, nil},
		{"DELETE", other, "", 401, 204, 404, nil},
		{"POST", dev + "/queue", `{"fPort":1,"data":"AQ=="}`, 401, passes, passes, nil},
		{"POST", other + "/queue", `{"fPort":1,"data":"AQ=="}`, 401, passes, 404, nil},
		{"GET", dev + "/queue", "", 401, passes, passes, nil},
		{"GET", other + "/queue", "", 401, passes, 404, nil},
		{"POST", "/api/v1/routes", routeIn("new", "acme"), 401, 201, 403, nil},
		{"POST", "/api/v1/routes", routeIn("new2", "zeta"), 401, 201, 403, nil},
		{"GET", "/api/v1/routes", "", 401, 200, 200, []string{"rzeta"}},
		{"GET", "/api/v1/routes?organisation=zeta", "", 401, 200, 404, nil},
		{"GET", "/api/v1/routes/racme", "", 401, 200, 200, nil},
		{"GET", "/api/v1/routes/rzeta", "", 401, 200, 404, nil},
		{"DELETE", "/api/v1/routes/rzeta", "", 401, 204, 404, nil},
		{"DELETE", "/api/v1/routes/racme", "", 401, 204, 204, nil},
	}
	reads := newAuthServer(t, adminToken) // shared by the GET cases
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			t.Parallel()
			for _, role := range []struct {
				name  string
				token func(a *authServer) string
				want  int
			}{
				{"anonymous", func(*authServer) string { return "" }, tc.anonymous},
				{"admin", func(*authServer) string { return adminToken }, tc.admin},
				{"org", func(a *authServer) string { return a.key }, tc.org},
			} {
				a := reads
				if tc.method != "GET" {
					a = newAuthServer(t, adminToken)
				}
				resp, body := a.send(t, role.token(a), tc.method, tc.path, tc.body)
				checkStatus(t, role.name, resp, body, role.want)
				if role.name == "org" && resp.StatusCode == 200 {
					for _, h := range tc.orgHides {
						if strings.Contains(body, h) {
							t.Errorf("org key sees %q: %s", h, body)
						}
					}
				}
			}
		})
	}
}

func checkStatus(t *testing.T, role string, resp *http.Response, body string, want int) {
	t.Helper()
	got := resp.StatusCode
	if want == passes && got != 401 && got != 403 && got != 404 || got == want {
		if got >= 400 && !isJSONError(resp, body) {
			t.Errorf("%s: %d %s is not a JSON error", role, got, body)
		}
		return
	}
	t.Errorf("%s: %d %s, want %d", role, got, body, want)
}

func isJSONError(resp *http.Response, body string) bool {
	var e struct{ Error string }
	return json.Unmarshal([]byte(body), &e) == nil && e.Error != "" &&
		resp.Header.Get("Content-Type") == "application/json; charset=utf-8"
}

// TestUnauthenticated: what is wrong with the token is answered 401 with a
// Bearer challenge and a JSON error, and counted.
func TestUnauthenticated(t *testing.T) {
	a := newAuthServer(t, adminToken)
	unknownKey := "hxk_0123456789abcdef_" + strings.Repeat("ab", 32)
	wrongSecret := a.key[:len(a.key)-4] + "0000"
	if wrongSecret == a.key {
		wrongSecret = a.key[:len(a.key)-4] + "1111"
	}
	tests := []struct {
		name      string
		header    []string
		challenge string // in WWW-Authenticate
		reason    string
	}{
		{"missing", nil, `Bearer realm="hexnet-router"`, "missing"},
		{"basic", []string{"Basic YWRtaW46YWRtaW4="}, `error="invalid_request"`, "malformed"},
		{"no token", []string{"Bearer"}, `error="invalid_request"`, "malformed"},
		{"empty token", []string{"Bearer "}, `error="invalid_request"`, "malformed"},
		{"space in token", []string{"Bearer a b"}, `error="invalid_request"`, "malformed"},
		{"two headers", []string{"Bearer " + adminToken, "Bearer " + adminToken}, `error="invalid_request"`, "malformed"},
		{"unknown admin token", []string{"Bearer " + strings.Repeat("x", 64)}, `error="invalid_token"`, "invalid"},
		{"admin token prefix", []string{"Bearer " + adminToken[:40]}, `error="invalid_token"`, "invalid"},
		{"unknown key", []string{"Bearer " + unknownKey}, `error="invalid_token"`, "invalid"},
		{"wrong secret", []string{"Bearer " + wrongSecret}, `error="invalid_token"`, "invalid"},
		{"key upper case", []string{"Bearer " + strings.ToUpper(a.key)}, `error="invalid_token"`, "invalid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := authFailures(t, a.reg, tc.reason)
			req, _ := http.NewRequest("GET", a.srv.URL+"/api/v1/applications", nil)
			req.Header["Authorization"] = tc.header
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 401 || !isJSONError(resp, string(b)) {
				t.Errorf("%d %s, want a 401 JSON error", resp.StatusCode, b)
			}
			if c := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(c, "Bearer ") || !strings.Contains(c, tc.challenge) {
				t.Errorf("WWW-Authenticate %q, want a Bearer challenge with %s", c, tc.challenge)
			}
			if got := authFailures(t, a.reg, tc.reason); got != before+1 {
				t.Errorf("auth failures{reason=%q} went from %v to %v, want +1", tc.reason, before, got)
			}
		})
	}
	req, _ := http.NewRequest("GET", a.srv.URL+"/api/v1/balances", nil)
	req.Header.Set("Authorization", "bearer  "+adminToken) // the scheme is case-insensitive
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Errorf("lower-case bearer scheme: %v, %v; want 200", resp, err)
	} else {
		resp.Body.Close()
	}
	before := authFailures(t, a.reg, "forbidden")
	a.do(t, a.key, step{"POST", "/api/v1/organisations/acme/credits", `{"dc":1}`, 403, []string{"admin token"}})
	if got := authFailures(t, a.reg, "forbidden"); got != before+1 {
		t.Errorf("auth failures{reason=forbidden} went from %v to %v, want +1", before, got)
	}
}

// authFailures reads hexnet_router_api_auth_failures_total{reason}.
func authFailures(t *testing.T, reg *prometheus.Registry, reason string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "hexnet_router_api_auth_failures_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "reason" && l.GetValue() == reason {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	t.Fatalf("no hexnet_router_api_auth_failures_total{reason=%q}", reason)
	return 0
}

// TestOpenWithoutAdminTokens: without admin tokens a request without a
// token acts as the operator, but a token that is sent is checked and an
// organisation key keeps its scope.
func TestOpenWithoutAdminTokens(t *testing.T) {
	a := newAuthServer(t)
	a.do(t, "", step{"POST", "/api/v1/organisations/zeta/credits", `{"dc":5}`, 200, nil})
	a.do(t, a.key, step{"GET", "/api/v1/applications/zapp", "", 404, nil})
	a.do(t, a.key, step{"GET", "/api/v1/applications/meters", "", 200, nil})
	a.do(t, a.key, step{"POST", "/api/v1/organisations/acme/credits", `{"dc":5}`, 403, nil})
	a.do(t, adminToken, step{"GET", "/api/v1/balances", "", 401, nil})
}
