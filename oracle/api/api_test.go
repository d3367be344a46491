package api_test

import (
	"net/http"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
)

func TestUnknownRoutes(t *testing.T) {
	e := newEnv(t, "")
	for _, tc := range []struct {
		method, path string
		code         int
		allow        string
	}{
		{http.MethodGet, "/api/v1/nothing", http.StatusNotFound, ""},
		{http.MethodGet, "/", http.StatusNotFound, ""},
		{http.MethodGet, "/api/v2/hotspots", http.StatusNotFound, ""},
		{http.MethodGet, "/api/v1/epochs/1/manifest/extra", http.StatusNotFound, ""},
		{http.MethodDelete, "/api/v1/hotspots", http.StatusMethodNotAllowed, "GET, HEAD, POST"},
		{http.MethodPost, "/api/v1/epochs", http.StatusMethodNotAllowed, "GET, HEAD"},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			rec := e.do(tc.method, tc.path, nil)
			t.Log(expectError(t, rec, tc.code))
			if got := rec.Header().Get("Allow"); got != tc.allow {
				t.Errorf("Allow %q, want %q", got, tc.allow)
			}
		})
	}
}

func TestHeadAndETag(t *testing.T) {
	e := newEnv(t, "")
	get := e.get("/api/v1/hotspots", http.StatusOK, nil)
	if get.Body.String() != "[]\n" {
		t.Errorf("empty list body %q, want []", get.Body)
	}
	tag := get.Header().Get("ETag")
	if !strings.HasPrefix(tag, `"`) || get.Header().Get("Cache-Control") != "no-cache" {
		t.Errorf("ETag %q Cache-Control %q", tag, get.Header().Get("Cache-Control"))
	}
	if rec := e.do(http.MethodHead, "/api/v1/hotspots", nil); rec.Code != http.StatusOK || rec.Header().Get("ETag") != tag {
		t.Errorf("HEAD: %d, ETag %q", rec.Code, rec.Header().Get("ETag"))
	}
	for _, inm := range []string{tag, `"x", ` + tag, "W/" + tag, "*"} {
		if rec := e.do(http.MethodGet, "/api/v1/hotspots", nil, "If-None-Match", inm); rec.Code != http.StatusNotModified {
			t.Errorf("If-None-Match %s: %d", inm, rec.Code)
		}
	}
	// The tag follows the content.
	e.register(newHotspot(t), 10, 10)
	if rec := e.do(http.MethodGet, "/api/v1/hotspots", nil, "If-None-Match", tag); rec.Code != http.StatusOK {
		t.Errorf("changed list still 304")
	}
	// Errors are never cached.
	if rec := e.do(http.MethodGet, "/api/v1/coverage", nil); rec.Header().Get("Cache-Control") != "no-store" || rec.Header().Get("ETag") != "" {
		t.Errorf("error caching headers %v", rec.Header())
	}
}

func TestMetrics(t *testing.T) {
	e := newEnv(t, "")
	e.get("/api/v1/hotspots", http.StatusOK, nil)
	e.get("/api/v1/hotspots", http.StatusOK, nil)
	e.do(http.MethodGet, "/api/v1/hotspots/bad", nil)
	e.do(http.MethodGet, "/nowhere", nil)
	families, err := e.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]float64{}
	var observed uint64
	for _, f := range families {
		for _, m := range f.GetMetric() {
			switch f.GetName() {
			case "hexnet_oracle_api_requests_total":
				counts[label(m, "route")+" "+label(m, "code")] = m.GetCounter().GetValue()
			case "hexnet_oracle_api_request_duration_seconds":
				observed += m.GetHistogram().GetSampleCount()
			}
		}
	}
	want := map[string]float64{"GET /api/v1/hotspots 200": 2, "GET /api/v1/hotspots/{address} 400": 1, "unmatched 404": 1}
	for k, v := range want {
		if counts[k] != v {
			t.Errorf("requests_total{%s} = %v, want %v (all: %v)", k, counts[k], v, counts)
		}
	}
	if observed != 4 {
		t.Errorf("latency histogram has %d observations, want 4", observed)
	}
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}
