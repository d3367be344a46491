package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/router"
)

const (
	dev10  = "/api/v1/devices/70b3d57ed0000001" // otaa: LoRaWAN 1.0.3
	dev11  = "/api/v1/devices/70b3d57ed0000002" // otaa11
	devAB  = "/api/v1/devices/70b3d57ed0000003" // abp
	newKey = "00112233445566778899aabbccddeeff"
)

// TestUpdateDevice: PUT replaces the name and root keys it carries, leaves
// the rest as it was, never sends keys back and refuses what is fixed at
// registration.
func TestUpdateDevice(t *testing.T) {
	srv, st := newServer(t)
	run(t, srv, []step{
		{"POST", "/api/v1/organisations", `{"id":"acme"}`, 201, nil},
		{"POST", "/api/v1/applications", `{"id":"meters","organisation":"acme"}`, 201, nil},
		{"POST", "/api/v1/applications", `{"id":"other","organisation":"acme"}`, 201, nil},
		{"POST", "/api/v1/devices", otaa, 201, nil},
		{"POST", "/api/v1/devices", otaa11, 201, nil},
		{"POST", "/api/v1/devices", abp, 201, nil},
	})
	ctx := context.Background()
	abpSession, err := st.GetSession(ctx, eui(t, "70b3d57ed0000003"))
	must(t, err)
	must(t, st.UseDevNonce(ctx, eui(t, "70b3d57ed0000001"), 7))

	body := do(t, srv, step{"PUT", dev10, `{"name":"kitchen"}`, 200,
		[]string{`"dev_eui":"70b3d57ed0000001"`, `"name":"kitchen"`, `"application":"meters"`, `"otaa":true`}})
	if strings.Contains(body, "key") {
		t.Errorf("PUT answered keys: %s", body)
	}
	run(t, srv, []step{
		{"PUT", dev10, `{"app_key":"` + newKey + `"}`, 200, []string{`"name":"kitchen"`}},
		{"PUT", dev11, `{"name":"","app_key":"` + newKey + `","nwk_key":"` + strings.ToUpper(newKey) + `"}`, 200, []string{`"name":""`}},
		{"PUT", devAB, `{"name":"abp"}`, 200, []string{`"name":"abp"`, `"otaa":false`}},
		{"PUT", dev10, `{}`, 200, []string{`"name":"kitchen"`}},
		// The fixed fields may come back unchanged (a GET's fields sent again).
		{"PUT", dev10, `{"dev_eui":"70B3D57ED0000001","join_eui":"0000000000000001","application":"meters","mac_version":"1.0.3","name":"kitchen"}`, 200, nil},
		{"GET", dev10, "", 200, []string{`"name":"kitchen"`}},
	})
	d := getDevice(t, st, "70b3d57ed0000001")
	if d.Name != "kitchen" || d.AppKey.String() != newKey || d.CreatedAt != t0 {
		t.Errorf("stored device %+v, want name kitchen, app key %s, created at %v", d, newKey, t0)
	}
	if d := getDevice(t, st, "70b3d57ed0000002"); d.Name != "" || d.AppKey.String() != newKey || d.NwkKey.String() != newKey {
		t.Errorf("stored 1.1 device %+v, want no name and both keys %s", d, newKey)
	}
	if s, err := st.GetSession(ctx, abpSession.DevEUI); err != nil || s != abpSession {
		t.Errorf("ABP session after the update: %+v, %v; want it unchanged", s, err)
	}
	if h, err := st.JoinHistory(ctx, d.DevEUI); err != nil || h.Joins != 1 {
		t.Errorf("join history after the update: %+v, %v; want the used DevNonce kept", h, err)
	}
}

// TestUpdateDeviceRefused: a malformed or impossible update is answered
// 400 (404 for an unknown device) and changes nothing.
func TestUpdateDeviceRefused(t *testing.T) {
	srv, st := newServer(t)
	run(t, srv, []step{
		{"POST", "/api/v1/organisations", `{"id":"acme"}`, 201, nil},
		{"POST", "/api/v1/applications", `{"id":"meters","organisation":"acme"}`, 201, nil},
		{"POST", "/api/v1/devices", otaa, 201, nil},
		{"POST", "/api/v1/devices", otaa11, 201, nil},
		{"POST", "/api/v1/devices", abp, 201, nil},
	})
	tests := []struct {
		path, body string
		status     int
		contains   string
	}{
		{dev10, `{"name":"x","dev_eui":"70b3d57ed0000009"}`, 400, `field \"dev_eui\" cannot be changed`},
		{dev10, `{"name":"x","join_eui":"0000000000000002"}`, 400, `field \"join_eui\" cannot be changed`},
		{dev10, `{"name":"x","application":"zapp"}`, 400, `field \"application\" cannot be changed`},
		{dev10, `{"name":"x","mac_version":"1.1.0"}`, 400, `field \"mac_version\" cannot be changed`},
		{dev10, `{"name":"x","dev_eui":"70b3"}`, 400, `field \"dev_eui\"`},
		{dev10, `{"name":"x","abp":{"dev_addr":"26011f88"}}`, 400, "cannot become an ABP"},
		{devAB, `{"name":"x","abp":{"fcnt_up":0}}`, 400, "session cannot be changed"},
		{devAB, `{"name":"x","app_key":"` + newKey + `"}`, 400, "not root keys"},
		{dev10, `{"name":"x","nwk_key":"` + newKey + `"}`, 400, "one root key"},
		{dev10, `{"name":"x","app_key":"00"}`, 400, `field \"app_key\"`},
		{dev10, `{"name":"x","app_key":""}`, 400, `field \"app_key\" is required`},
		{dev11, `{"name":"x","nwk_key":"zz112233445566778899aabbccddeeff"}`, 400, `field \"nwk_key\"`},
		{dev10, `{"name":"x","otaa":false}`, 400, `unknown field \"otaa\"`},
		{dev10, `{"name":"x","created_at":"2026-01-01T00:00:00Z"}`, 400, "unknown field"},
		{dev10, `{"name":"x"} {}`, 400, "after the JSON object"},
		{dev10, `{"name":5}`, 400, "not the expected JSON object"},
		{"/api/v1/devices/xyz", `{"name":"x"}`, 400, "devEUI"},
		{"/api/v1/devices/70b3d57ed00000ff", `{"name":"x"}`, 404, "not found"},
	}
	for _, tc := range tests {
		do(t, srv, step{"PUT", tc.path, tc.body, tc.status, []string{tc.contains}})
	}
	for _, e := range []string{"70b3d57ed0000001", "70b3d57ed0000002", "70b3d57ed0000003"} {
		if d := getDevice(t, st, e); d.Name != "" {
			t.Errorf("device %s renamed %q by a refused update", e, d.Name)
		}
	}
	if d := getDevice(t, st, "70b3d57ed0000001"); d.AppKey.String() != "2b7e151628aed2a6abf7158809cf4f3c" {
		t.Errorf("app key changed by a refused update: %s", d.AppKey)
	}
}

// TestUpdateOtherOrganisationsDevice: for an organisation key another
// organisation's device is missing, with the same answer, and stays as it
// was.
func TestUpdateOtherOrganisationsDevice(t *testing.T) {
	a := newAuthServer(t, adminToken)
	other := a.do(t, a.key, step{"PUT", "/api/v1/devices/70b3d57ed0000009", `{"name":"mine"}`, 404, nil})
	missing := a.do(t, a.key, step{"PUT", "/api/v1/devices/70b3d57ed00000ff", `{"name":"mine"}`, 404, nil})
	if strings.ReplaceAll(other, "09", "ff") != missing {
		t.Errorf("another organisation's device answers %s, a missing one %s; want the same answer", other, missing)
	}
	a.do(t, adminToken, step{"GET", "/api/v1/devices/70b3d57ed0000009", "", 200, []string{`"name":""`}})
	a.do(t, "", step{"PUT", "/api/v1/devices/70b3d57ed0000001", `{"name":"x"}`, 401, []string{"authentication required"}})
}

func eui(t *testing.T, s string) lorawan.EUI64 {
	t.Helper()
	var e lorawan.EUI64
	must(t, e.UnmarshalText([]byte(s)))
	return e
}

func getDevice(t *testing.T, st router.Store, s string) router.Device {
	t.Helper()
	d, err := st.GetDevice(context.Background(), eui(t, s))
	must(t, err)
	return d
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
