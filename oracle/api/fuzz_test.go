package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzRequests sends arbitrary queries and bodies: the API answers every
// one with JSON and never with a server error.
func FuzzRequests(f *testing.F) {
	w := newWorld(f, "")
	for _, s := range []string{"res=8&bbox=4.5,52,5.5,52.8", "res=13", "res=8&epoch=0", "bbox=,,,", "epoch=99&res=0"} {
		f.Add(http.MethodGet, "/api/v1/coverage", s, "")
	}
	f.Add(http.MethodGet, "/api/v1/hotspots/"+w.a.addr().String()+"/reports", "epoch=0", "")
	f.Add(http.MethodPost, "/api/v1/hotspots", "", `{"request":"AAAA"}`)
	f.Add(http.MethodPost, "/api/v1/hotspots/"+w.a.addr().String()+"/location", "", `{"assertion":"CgV3aXRuZXNz"}`)
	f.Add(http.MethodGet, "/api/v1/epochs/0/manifest", "", "")
	f.Add(http.MethodGet, "/api/v1/coverage", "res=8&bbox=4.8,52.3,5.0,52.45&format=geojson", "")
	f.Add(http.MethodGet, "/api/v1/search", "q=brisk amber&limit=5", "")
	f.Add(http.MethodGet, "/api/v1/cells/881969c9b7fffff", "epoch=0", "")
	f.Add(http.MethodGet, "/api/v1/hotspots", "bbox=4.8,52.3,5.0,52.45&limit=2", "")
	f.Add(http.MethodGet, "/api/v1/hotspots/"+w.a.addr().String()+"/rewards", "limit=3", "")
	f.Fuzz(func(t *testing.T, method, path, query, body string) {
		if method != http.MethodGet && method != http.MethodPost {
			return
		}
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " ?#%\x00\r\n\t") {
			return
		}
		req, err := http.NewRequest(method, "http://oracle"+path+"?"+query, strings.NewReader(body))
		if err != nil {
			return
		}
		rec := httptest.NewRecorder()
		w.h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s?%s: %d %s", method, path, query, rec.Code, rec.Body)
		}
		if rec.Code < 300 || rec.Code >= 400 { // GeoJSON is JSON too
			if !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("%s %s?%s: body is not JSON: %q", method, path, query, rec.Body)
			}
		}
	})
}
