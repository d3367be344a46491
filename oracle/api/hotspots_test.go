package api_test

import (
	"encoding/base64"
	"net/http"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/hexnet/hexnet/geo"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

var hotspotFields = []string{"address", "name", "owner", "cell", "lat", "lng", "status", "gain_dbi", "elevation_m",
	"region", "onboarded_at", "denied"}

func TestOnboardThenAssert(t *testing.T) {
	e := newEnv(t, "")
	h := newHotspot(t)

	var created map[string]any
	rec := e.do(http.MethodPost, "/api/v1/hotspots", e.onboardBody(h))
	expect(t, rec, http.StatusCreated, &created)
	expectKeys(t, "created hotspot", created, hotspotFields...)
	if created["address"] != h.addr().String() || created["owner"] != h.owner.Address().String() {
		t.Errorf("created %v, want address %s owner %s", created, h.addr(), h.owner.Address())
	}
	for _, k := range []string{"cell", "lat", "lng", "gain_dbi", "elevation_m", "region"} {
		if created[k] != nil {
			t.Errorf("%s = %v before any assertion, want null", k, created[k])
		}
	}
	if got := rec.Header().Get("Location"); got != "/api/v1/hotspots/"+h.addr().String() {
		t.Errorf("Location header %q", got)
	}

	cell := cellAt(t, 52.3702, 4.8952)
	var loc map[string]any
	expect(t, e.do(http.MethodPost, "/api/v1/hotspots/"+h.addr().String()+"/location", e.assertionBody(h, cell, 1)), http.StatusOK, &loc)
	expectKeys(t, "location", loc, "cell", "lat", "lng", "gain_dbi", "elevation_m", "region", "nonce", "asserted_at")
	centre := geo.Cell(cell).Center()
	if loc["cell"] != geo.Cell(cell).String() || loc["lat"] != centre.Lat || loc["lng"] != centre.Lng ||
		loc["gain_dbi"] != 3.0 || loc["elevation_m"] != 12.0 || loc["region"] != "EU868" || loc["nonce"] != 1.0 {
		t.Errorf("location %v", loc)
	}

	e.online(h, true)
	var list []map[string]any
	e.get("/api/v1/hotspots", http.StatusOK, &list)
	if len(list) != 1 {
		t.Fatalf("%d hotspots, want 1", len(list))
	}
	expectKeys(t, "listed hotspot", list[0], hotspotFields...)
	if list[0]["cell"] != geo.Cell(cell).String() || list[0]["lat"] != centre.Lat || list[0]["lng"] != centre.Lng ||
		list[0]["status"] != "online" || list[0]["denied"] != false {
		t.Errorf("listed %v", list[0])
	}

	var one map[string]any
	e.get("/api/v1/hotspots/"+h.addr().String(), http.StatusOK, &one)
	expectKeys(t, "hotspot", one, append(hotspotFields, "locations")...)
	if hist, _ := one["locations"].([]any); len(hist) != 1 {
		t.Errorf("locations %v, want one", one["locations"])
	}
}

func TestStatusFromPresence(t *testing.T) {
	e := newEnv(t, "")
	on, off, silent := newHotspot(t), newHotspot(t), newHotspot(t)
	for _, h := range []hotspot{on, off, silent} {
		e.register(h, 52.37, 4.89)
	}
	e.online(on, true)
	e.online(off, false)
	want := map[string]string{on.addr().String(): "online", off.addr().String(): "offline", silent.addr().String(): "unknown"}
	var list []map[string]any
	e.get("/api/v1/hotspots", http.StatusOK, &list)
	for _, h := range list {
		if h["status"] != want[h["address"].(string)] {
			t.Errorf("%s status %v, want %s", h["address"], h["status"], want[h["address"].(string)])
		}
	}
}

func TestOnboardRefused(t *testing.T) {
	e := newEnv(t, "")
	h := newHotspot(t)
	good := e.onboardBody(h)["request"]
	raw, _ := base64.StdEncoding.DecodeString(good)
	var req hexnetpb.OnboardRequest
	if err := proto.Unmarshal(raw, &req); err != nil {
		t.Fatal(err)
	}
	req.ByHotspot.Signature[0] ^= 1
	forged, _ := proto.Marshal(&req)

	for _, tc := range []struct {
		name string
		body any
		code int
	}{
		{"not JSON", "{", http.StatusBadRequest},
		{"empty object", map[string]string{}, http.StatusBadRequest},
		{"unknown field", map[string]string{"request": good, "extra": "x"}, http.StatusBadRequest},
		{"trailing data", `{"request":"` + good + `"} {}`, http.StatusBadRequest},
		{"bad base64", map[string]string{"request": "%%%not base64"}, http.StatusBadRequest},
		{"not a protobuf", map[string]string{"request": base64.StdEncoding.EncodeToString([]byte("hello"))}, http.StatusBadRequest},
		{"wrong signature", map[string]string{"request": base64.StdEncoding.EncodeToString(forged)}, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := expectError(t, e.do(http.MethodPost, "/api/v1/hotspots", tc.body), tc.code)
			t.Log(msg)
		})
	}

	expect(t, e.do(http.MethodPost, "/api/v1/hotspots", map[string]string{"request": good}), http.StatusCreated, nil)
	expectError(t, e.do(http.MethodPost, "/api/v1/hotspots", map[string]string{"request": good}), http.StatusConflict)
	// A fresh request for the same hotspot is a conflict too.
	expectError(t, e.do(http.MethodPost, "/api/v1/hotspots", e.onboardBody(h)), http.StatusConflict)
}

func TestAssertLocationRefused(t *testing.T) {
	e := newEnv(t, "")
	h, stranger := newHotspot(t), newHotspot(t)
	expect(t, e.do(http.MethodPost, "/api/v1/hotspots", e.onboardBody(h)), http.StatusCreated, nil)
	path := "/api/v1/hotspots/" + h.addr().String() + "/location"
	cell := cellAt(t, 48.8566, 2.3522)
	expect(t, e.do(http.MethodPost, path, e.assertionBody(h, cell, 5)), http.StatusOK, nil)

	byStranger := e.assertionBody(hotspot{owner: stranger.owner, key: h.key}, cell, 6)
	coarse, _ := geo.Cell(cell).Parent(8)
	tampered := e.assertionBody(h, cell, 6)
	{
		raw, _ := base64.StdEncoding.DecodeString(tampered["assertion"])
		var env hexnetpb.Signed
		proto.Unmarshal(raw, &env)
		env.Signature[3] ^= 0x40
		raw, _ = proto.Marshal(&env)
		tampered = map[string]string{"assertion": base64.StdEncoding.EncodeToString(raw)}
	}
	for _, tc := range []struct {
		name string
		path string
		body any
		code int
	}{
		{"replayed nonce", path, e.assertionBody(h, cell, 5), http.StatusConflict},
		{"lower nonce", path, e.assertionBody(h, cell, 4), http.StatusConflict},
		{"signed by another owner", path, byStranger, http.StatusBadRequest},
		{"tampered signature", path, tampered, http.StatusBadRequest},
		{"coarse cell", path, e.assertionBody(h, uint64(coarse), 6), http.StatusBadRequest},
		{"bad base64", path, map[string]string{"assertion": "***"}, http.StatusBadRequest},
		{"missing field", path, map[string]string{"request": "AAAA"}, http.StatusBadRequest},
		{"malformed address", "/api/v1/hotspots/not-an-address/location", e.assertionBody(h, cell, 6), http.StatusBadRequest},
		{"not onboarded", "/api/v1/hotspots/" + stranger.addr().String() + "/location", e.assertionBody(stranger, cell, 1), http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Log(expectError(t, e.do(http.MethodPost, tc.path, tc.body), tc.code))
		})
	}
	expect(t, e.do(http.MethodPost, path, e.assertionBody(h, cell, 6)), http.StatusOK, nil)
}

func TestUnknownRegionRefused(t *testing.T) {
	e := newEnv(t, "")
	h := newHotspot(t)
	expect(t, e.do(http.MethodPost, "/api/v1/hotspots", e.onboardBody(h)), http.StatusCreated, nil)
	raw, err := oracle.SignLocation(h.owner, h.addr(), oracle.Location{Cell: cellAt(t, 1, 1), GainDBiX10: 30,
		Region: "XX999", Nonce: 1, AssertedAt: genesis})
	if err != nil {
		t.Fatal(err)
	}
	expectError(t, e.do(http.MethodPost, "/api/v1/hotspots/"+h.addr().String()+"/location",
		map[string]string{"assertion": base64.StdEncoding.EncodeToString(raw)}), http.StatusBadRequest)
}

func TestGetHotspotErrors(t *testing.T) {
	e := newEnv(t, "")
	for _, tc := range []struct {
		path string
		code int
	}{
		{"/api/v1/hotspots/0OIl", http.StatusBadRequest},                                // not base58
		{"/api/v1/hotspots/11111111111111111111111111111111111", http.StatusBadRequest}, // wrong length
		{"/api/v1/hotspots/" + newKey(t).Address().String(), http.StatusNotFound},
		{"/api/v1/hotspots/" + newKey(t).Address().String() + "/reports", http.StatusNotFound},
		{"/api/v1/hotspots/bad/reports", http.StatusBadRequest},
	} {
		t.Run(tc.path, func(t *testing.T) { expectError(t, e.do(http.MethodGet, tc.path, nil), tc.code) })
	}
}
