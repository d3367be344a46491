package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/brocaar/lorawan"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/router/api"
	"github.com/hexnet/hexnet/store/sqlitestore"
)

var t0 = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func newServer(t *testing.T) (*httptest.Server, router.Store) {
	t.Helper()
	st, err := sqlitestore.Open(context.Background(), sqlitestore.Memory)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Options{Store: st, Clock: clock.NewFake(t0), Registerer: prometheus.NewRegistry()}))
	t.Cleanup(srv.Close)
	return srv, st
}

// step is one request and what must come back: the status, and strings
// the body contains (for errors: the JSON error's text).
type step struct {
	method, path, body string
	status             int
	contains           []string
}

func do(t *testing.T, srv *httptest.Server, s step) string {
	t.Helper()
	req, err := http.NewRequest(s.method, srv.URL+s.path, strings.NewReader(s.body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != s.status {
		t.Fatalf("%s %s %s: %d %s, want %d", s.method, s.path, s.body, resp.StatusCode, b, s.status)
	}
	if s.status >= 400 {
		var e struct{ Error string }
		if err := json.Unmarshal(b, &e); err != nil || e.Error == "" || resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Errorf("%s %s: error body %q is not a JSON error", s.method, s.path, b)
		}
	}
	for _, c := range s.contains {
		if !strings.Contains(string(b), c) {
			t.Errorf("%s %s: body %s does not contain %q", s.method, s.path, b, c)
		}
	}
	return string(b)
}

func run(t *testing.T, srv *httptest.Server, steps []step) {
	t.Helper()
	for _, s := range steps {
		do(t, srv, s)
	}
}

const (
	otaa     = `{"dev_eui":"70b3d57ed0000001","join_eui":"0000000000000001","application":"meters","mac_version":"1.0.3","app_key":"2b7e151628aed2a6abf7158809cf4f3c"}`
	otaa11   = `{"dev_eui":"70b3d57ed0000002","join_eui":"0000000000000001","application":"meters","mac_version":"1.1.0","app_key":"2b7e151628aed2a6abf7158809cf4f3c","nwk_key":"000102030405060708090a0b0c0d0e0f"}`
	abp      = `{"dev_eui":"70b3d57ed0000003","application":"meters","mac_version":"1.0.4","abp":{"dev_addr":"26011f88","nwk_s_key":"000102030405060708090a0b0c0d0e0f","app_s_key":"0f0e0d0c0b0a09080706050403020100","fcnt_up":7}}`
	abp11    = `{"dev_eui":"70b3d57ed0000004","application":"meters","mac_version":"1.1.0","abp":{"dev_addr":"26011f89","f_nwk_s_int_key":"000102030405060708090a0b0c0d0e0f","s_nwk_s_int_key":"000102030405060708090a0b0c0d0e0e","nwk_s_enc_key":"000102030405060708090a0b0c0d0e0d","app_s_key":"0f0e0d0c0b0a09080706050403020100"}}`
	routeGW  = `{"id":"ext","organisation":"acme","net_id":"000024","devaddr_ranges":[{"first":"48000000","last":"4800ffff"}],"eui_pairs":[{"join_eui":"0000000000000001"}],"max_copies":2,"destination":"gwmp","gwmp_address":"ns.example.org:1700"}`
	routeGen = `{"organisation":"acme","net_id":"000013","devaddr_ranges":[{"first":"26000000","last":"26ffffff"}],"max_copies":1}`
)

func TestOrganisations(t *testing.T) {
	srv, _ := newServer(t)
	run(t, srv, []step{
		{"POST", "/api/v1/organisations", `{"id":"acme","name":"Acme"}`, 201, []string{`"id":"acme"`, `"balance_dc":0`}},
		{"POST", "/api/v1/organisations", `{"id":"acme"}`, 409, []string{"already exists"}},
		{"POST", "/api/v1/organisations", `{"id":"bad id/x"}`, 400, []string{`\"id\"`}},
		{"POST", "/api/v1/organisations", `{"id":"x","balance":5}`, 400, []string{"unknown field"}},
		{"POST", "/api/v1/organisations", `{"id":"x"} {}`, 400, []string{"after the JSON object"}},
		{"POST", "/api/v1/organisations", `not json`, 400, nil},
		{"POST", "/api/v1/organisations", `{"id":"` + strings.Repeat("x", 70<<10) + `"}`, 413, nil},
		{"GET", "/api/v1/organisations", "", 200, []string{`[{"id":"acme","name":"Acme","balance_dc":0`}},
		{"GET", "/api/v1/organisations/acme", "", 200, []string{`"name":"Acme"`}},
		{"GET", "/api/v1/organisations/nobody", "", 404, []string{"not found"}},
		{"GET", "/api/v1/organisations/bad%20id", "", 400, nil},
		{"PUT", "/api/v1/organisations/acme", "", 405, []string{"allowed"}},
		{"GET", "/api/v1/nothing-here", "", 404, []string{"no such endpoint"}},
		{"DELETE", "/api/v1/organisations/acme", "", 204, nil},
		{"DELETE", "/api/v1/organisations/acme", "", 404, nil},
	})
}

func TestCredits(t *testing.T) {
	srv, _ := newServer(t)
	run(t, srv, []step{
		{"POST", "/api/v1/organisations", `{"id":"acme"}`, 201, nil},
		{"POST", "/api/v1/organisations", `{"id":"zeta"}`, 201, nil},
		{"POST", "/api/v1/organisations/acme/credits", `{"dc":1000}`, 200, []string{`{"organisation":"acme","balance_dc":1000}`}},
		{"POST", "/api/v1/organisations/acme/credits", `{"dc":500}`, 200, []string{`"balance_dc":1500`}},
		{"POST", "/api/v1/organisations/acme/credits", `{"dc":0}`, 400, []string{`\"dc\"`}},
		{"POST", "/api/v1/organisations/acme/credits", `{"dc":-5}`, 400, nil},
		{"POST", "/api/v1/organisations/acme/credits", `{"dc":"many"}`, 400, nil},
		{"POST", "/api/v1/organisations/nobody/credits", `{"dc":5}`, 404, nil},
		{"GET", "/api/v1/organisations/acme/credits", "", 200, []string{`"balance_dc":1500`, `"entries":[{"amount_dc":500`}},
		{"GET", "/api/v1/organisations/acme/credits?limit=1", "", 200, nil},
		{"GET", "/api/v1/organisations/acme/credits?limit=0", "", 400, []string{"limit"}},
		{"GET", "/api/v1/organisations/nobody/credits", "", 404, nil},
		{"GET", "/api/v1/balances", "", 200, []string{`[{"organisation":"acme","balance_dc":1500},{"organisation":"zeta","balance_dc":0}]`}},
		{"GET", "/api/v1/organisations/acme", "", 200, []string{`"balance_dc":1500`}},
	})
}

func TestApplications(t *testing.T) {
	srv, _ := newServer(t)
	run(t, srv, []step{
		{"POST", "/api/v1/applications", `{"id":"meters","organisation":"acme"}`, 404, []string{"organisation acme does not exist"}},
		{"POST", "/api/v1/organisations", `{"id":"acme"}`, 201, nil},
		{"POST", "/api/v1/applications", `{"id":"meters","organisation":"acme","name":"Water meters"}`, 201, []string{`"organisation":"acme"`}},
		{"POST", "/api/v1/applications", `{"id":"meters","organisation":"acme"}`, 409, nil},
		{"POST", "/api/v1/applications", `{"id":"a+b","organisation":"acme"}`, 400, nil},
		{"POST", "/api/v1/applications", `{"id":"x"}`, 400, []string{`\"organisation\"`}},
		{"GET", "/api/v1/applications", "", 200, []string{`"id":"meters"`}},
		{"GET", "/api/v1/applications?organisation=acme", "", 200, []string{`"id":"meters"`}},
		{"GET", "/api/v1/applications?organisation=other", "", 200, []string{`[]`}},
		{"GET", "/api/v1/applications?organisation=%2B", "", 400, nil},
		{"GET", "/api/v1/applications/meters", "", 200, []string{`"name":"Water meters"`}},
		{"GET", "/api/v1/applications/nope", "", 404, nil},
		{"DELETE", "/api/v1/organisations/acme", "", 409, []string{"application"}},
		{"POST", "/api/v1/devices", otaa, 201, nil},
		{"DELETE", "/api/v1/applications/meters", "", 409, []string{"device"}},
		{"DELETE", "/api/v1/devices/70b3d57ed0000001", "", 204, nil},
		{"DELETE", "/api/v1/applications/meters", "", 204, nil},
		{"DELETE", "/api/v1/applications/meters", "", 404, nil},
	})
}

func TestDevices(t *testing.T) {
	srv, st := newServer(t)
	bad := func(from, to string) string { return strings.Replace(otaa, from, to, 1) }
	run(t, srv, []step{
		{"POST", "/api/v1/devices", otaa, 404, []string{"application meters does not exist"}},
		{"POST", "/api/v1/organisations", `{"id":"acme"}`, 201, nil},
		{"POST", "/api/v1/applications", `{"id":"meters","organisation":"acme"}`, 201, nil},
		{"POST", "/api/v1/devices", otaa, 201, []string{`"dev_eui":"70b3d57ed0000001"`, `"otaa":true`, `"class":"A"`}},
		{"POST", "/api/v1/devices", otaa, 409, nil},
		{"POST", "/api/v1/devices", otaa11, 201, []string{`"mac_version":"1.1.0"`}},
		{"POST", "/api/v1/devices", abp, 201, []string{`"otaa":false`}},
		{"POST", "/api/v1/devices", abp11, 201, nil},
		{"POST", "/api/v1/devices", bad(`"1.0.3"`, `"2.0"`), 400, []string{"mac_version"}},
		{"POST", "/api/v1/devices", bad(`"mac_version"`, `"class":"B","mac_version"`), 400, []string{`field \"class\": \"B\"`}},
		{"POST", "/api/v1/devices", strings.NewReplacer(`"mac_version"`, `"class":"C","mac_version"`, `70b3d57ed0000001`, `70b3d57ed00000c1`).Replace(otaa), 201, []string{`"class":"C"`}},
		{"GET", "/api/v1/devices/70b3d57ed00000c1", "", 200, []string{`"class":"C"`}},
		{"PUT", "/api/v1/devices/70b3d57ed00000c1", `{"class":"A"}`, 200, []string{`"class":"A"`}},
		{"PUT", "/api/v1/devices/70b3d57ed00000c1", `{"class":"Z"}`, 400, []string{`field \"class\"`}},
		{"GET", "/api/v1/devices/70b3d57ed00000c1", "", 200, []string{`"class":"A"`}},
		{"POST", "/api/v1/devices", bad(`70b3d57ed0000001`, `70b3d5`), 400, []string{"dev_eui"}},
		{"POST", "/api/v1/devices", bad(`"0000000000000001"`, `"zz00000000000001"`), 400, []string{"join_eui"}},
		{"POST", "/api/v1/devices", bad(`2b7e151628aed2a6abf7158809cf4f3c`, ``), 400, []string{"app_key"}},
		{"POST", "/api/v1/devices", bad(`"mac_version":"1.0.3"`, `"mac_version":"1.0.3","nwk_key":"000102030405060708090a0b0c0d0e0f"`), 400, []string{"nwk_key"}},
		{"POST", "/api/v1/devices", strings.Replace(otaa11, `,"nwk_key":"000102030405060708090a0b0c0d0e0f"`, "", 1), 400, []string{"nwk_key"}},
		{"POST", "/api/v1/devices", strings.Replace(abp, `"26011f88"`, `"26"`, 1), 400, []string{"abp.dev_addr"}},
		{"POST", "/api/v1/devices", strings.Replace(abp, `"application"`, `"app_key":"2b7e151628aed2a6abf7158809cf4f3c","application"`, 1), 400, []string{"root keys"}},
		{"POST", "/api/v1/devices", strings.Replace(abp11, `"s_nwk_s_int_key":"000102030405060708090a0b0c0d0e0e",`, "", 1), 400, []string{"s_nwk_s_int_key"}},
		{"GET", "/api/v1/devices", "", 200, []string{"70b3d57ed0000001", "70b3d57ed0000004"}},
		{"GET", "/api/v1/devices?application=meters", "", 200, []string{"70b3d57ed0000003"}},
		{"GET", "/api/v1/devices/70b3d57ed0000002", "", 200, []string{`"join_eui":"0000000000000001"`}},
		{"GET", "/api/v1/devices/70b3d57ed00000ff", "", 404, nil},
		{"GET", "/api/v1/devices/nothex", "", 400, nil},
		{"DELETE", "/api/v1/devices/70b3d57ed0000002", "", 204, nil},
		{"DELETE", "/api/v1/devices/70b3d57ed0000002", "", 404, nil},
	})
	body := do(t, srv, step{"GET", "/api/v1/devices/70b3d57ed0000001", "", 200, nil})
	if strings.Contains(body, "key") {
		t.Errorf("device response shows keys: %s", body)
	}
	s, err := st.GetSession(context.Background(), lorawan.EUI64{0x70, 0xb3, 0xd5, 0x7e, 0xd0, 0, 0, 3})
	if err != nil || s.FCntUp != 7 || s.DevAddr.String() != "26011f88" || s.NwkSEncKey != s.FNwkSIntKey {
		t.Errorf("ABP session %+v, %v", s, err)
	}
}

func TestRoutes(t *testing.T) {
	srv, _ := newServer(t)
	run(t, srv, []step{
		{"POST", "/api/v1/routes", routeGW, 404, []string{"organisation acme does not exist"}},
		{"POST", "/api/v1/organisations", `{"id":"acme"}`, 201, nil},
		{"POST", "/api/v1/routes", routeGW, 201, []string{`"id":"ext"`, `"gwmp_address":"ns.example.org:1700"`, `"eui_pairs":[{"join_eui":"0000000000000001"}]`}},
		{"POST", "/api/v1/routes", routeGW, 409, nil},
		{"POST", "/api/v1/routes", routeGen, 201, []string{`"id":"route-`, `"destination":"builtin"`, `"max_copies":1`}},
		{"POST", "/api/v1/routes", strings.Replace(routeGen, `"000013"`, `"13"`, 1), 400, []string{"net_id"}},
		{"POST", "/api/v1/routes", strings.Replace(routeGen, `"first":"26000000"`, `"first":"27000000"`, 1), 400, []string{"ends before it starts"}},
		{"POST", "/api/v1/routes", strings.Replace(routeGen, `"max_copies":1`, `"max_copies":-1`, 1), 400, []string{"negative"}},
		{"POST", "/api/v1/routes", strings.Replace(routeGen, `"000013"`, `"000024"`, 1), 400, []string{"is not NetID 000024's"}},
		{"POST", "/api/v1/routes", `{"organisation":"acme","net_id":"000013"}`, 400, []string{"selects nothing"}},
		{"POST", "/api/v1/routes", strings.Replace(routeGW, `"ns.example.org:1700"`, `"ns.example.org"`, 1), 400, []string{"gwmp_address"}},
		{"POST", "/api/v1/routes", strings.Replace(routeGW, `,"gwmp_address":"ns.example.org:1700"`, ``, 1), 400, []string{"destination"}},
		{"POST", "/api/v1/routes", strings.Replace(routeGW, `"gwmp"`, `"carrier-pigeon"`, 1), 400, []string{"destination"}},
		{"POST", "/api/v1/routes", strings.Replace(routeGW, `{"join_eui":"0000000000000001"}`, `{"dev_eui":"0000000000000001"}`, 1), 400, []string{"eui_pairs[0].join_eui"}},
		{"POST", "/api/v1/routes", strings.Replace(routeGen, `"organisation"`, `"created_at":"2026-01-01T00:00:00Z","organisation"`, 1), 400, []string{"created_at"}},
		{"GET", "/api/v1/routes", "", 200, []string{`"id":"ext"`, `"id":"route-`}},
		{"GET", "/api/v1/routes?organisation=acme", "", 200, []string{`"id":"ext"`}},
		{"GET", "/api/v1/routes/ext", "", 200, []string{`"devaddr_ranges":[{"first":"48000000","last":"4800ffff"}]`}},
		{"GET", "/api/v1/routes/nope", "", 404, nil},
		{"DELETE", "/api/v1/organisations/acme", "", 409, []string{"route"}},
		{"DELETE", "/api/v1/routes/ext", "", 204, nil},
		{"DELETE", "/api/v1/routes/ext", "", 404, nil},
	})
}
