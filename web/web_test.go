package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"testing/fstest"
)

func gz(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// testFS is laid out like a built dist/.
func testFS(t *testing.T) fstest.MapFS {
	return fstest.MapFS{
		"index.html.gz":                          {Data: gz(t, "<!doctype html><title>map</title>")},
		"app-0123456789ab.js.gz":                 {Data: gz(t, "console.log('map')")},
		"app-0123456789ab.css.gz":                {Data: gz(t, "body{margin:0}")},
		"countries-a1b2c3d4e5f6.json.gz":         {Data: gz(t, `{"type":"FeatureCollection","features":[]}`)},
		"maplibre-gl-worker-00aa11bb22cc.mjs.gz": {Data: gz(t, "export default 1")},
		"robots.txt":                             {Data: []byte("User-agent: *\n")},
		"placeholder.html":                       {Data: []byte("<p>run make web</p>")},
	}
}

func handler(t *testing.T, fsys fstest.MapFS) http.Handler {
	t.Helper()
	h, err := New(fsys)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func get(h http.Handler, method, target string, header ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestServe(t *testing.T) {
	h := handler(t, testFS(t))
	tests := []struct {
		target, acceptEncoding string
		status                 int
		contentType, encoding  string
		cache                  string
		body                   string
	}{
		{"/", "gzip, deflate, br", 200, "text/html; charset=utf-8", "gzip", "no-cache", "<!doctype html><title>map</title>"},
		{"/index.html", "", 200, "text/html; charset=utf-8", "", "no-cache", "<!doctype html><title>map</title>"},
		{"/app-0123456789ab.js", "gzip", 200, "text/javascript; charset=utf-8", "gzip", cacheImmutable, "console.log('map')"},
		{"/app-0123456789ab.js", "identity", 200, "text/javascript; charset=utf-8", "", cacheImmutable, "console.log('map')"},
		{"/app-0123456789ab.js", "gzip;q=0, *", 200, "text/javascript; charset=utf-8", "", cacheImmutable, "console.log('map')"},
		{"/app-0123456789ab.css", "*", 200, "text/css; charset=utf-8", "gzip", cacheImmutable, "body{margin:0}"},
		{"/maplibre-gl-worker-00aa11bb22cc.mjs", "gzip", 200, "text/javascript; charset=utf-8", "gzip", cacheImmutable, "export default 1"},
		{"/countries-a1b2c3d4e5f6.json", "gzip", 200, "application/json", "gzip", cacheImmutable, `{"type":"FeatureCollection","features":[]}`},
		{"/robots.txt", "gzip", 200, "text/plain; charset=utf-8", "", "no-cache", "User-agent: *\n"},
		{"/placeholder.html", "", 404, "", "", "", ""},
		{"/app.js", "", 404, "", "", "", ""},
		{"/index.html.gz", "", 404, "", "", "", ""},
		{"/../index.html", "", 200, "text/html; charset=utf-8", "", "no-cache", "<!doctype html><title>map</title>"},
	}
	for _, tt := range tests {
		t.Run(tt.target+" "+tt.acceptEncoding, func(t *testing.T) {
			w := get(h, http.MethodGet, tt.target, "Accept-Encoding", tt.acceptEncoding)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d", w.Code, tt.status)
			}
			if tt.status != http.StatusOK {
				return
			}
			check(t, w, "Content-Type", tt.contentType)
			check(t, w, "Content-Encoding", tt.encoding)
			check(t, w, "Cache-Control", tt.cache)
			body := w.Body.Bytes()
			if tt.encoding == "gzip" {
				var err error
				if body, err = gunzip(body); err != nil {
					t.Fatal(err)
				}
			}
			if string(body) != tt.body {
				t.Errorf("body %q, want %q", body, tt.body)
			}
			if w.Header().Get("ETag") == "" {
				t.Error("no ETag")
			}
		})
	}
}

func check(t *testing.T, w *httptest.ResponseRecorder, header, want string) {
	t.Helper()
	if got := w.Header().Get(header); got != want {
		t.Errorf("%s %q, want %q", header, got, want)
	}
}

// TestRevalidate: the ETag gives 304, and differs between the compressed
// and the decompressed bytes.
func TestRevalidate(t *testing.T) {
	h := handler(t, testFS(t))
	zipped := get(h, http.MethodGet, "/", "Accept-Encoding", "gzip").Header().Get("ETag")
	plain := get(h, http.MethodGet, "/").Header().Get("ETag")
	if zipped == plain {
		t.Errorf("same ETag %s for the gzip and the identity encoding", plain)
	}
	w := get(h, http.MethodGet, "/", "Accept-Encoding", "gzip", "If-None-Match", zipped)
	if w.Code != http.StatusNotModified || w.Body.Len() != 0 {
		t.Errorf("If-None-Match %s: status %d with %d bytes, want 304 and none", zipped, w.Code, w.Body.Len())
	}
	if w := get(h, http.MethodGet, "/", "If-None-Match", zipped); w.Code != http.StatusOK {
		t.Errorf("identity request with the gzip ETag: status %d, want 200", w.Code)
	}
}

func TestHead(t *testing.T) {
	h := handler(t, testFS(t))
	w := get(h, http.MethodHead, "/app-0123456789ab.js", "Accept-Encoding", "gzip")
	if w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Errorf("HEAD: status %d with %d bytes, want 200 and none", w.Code, w.Body.Len())
	}
	if w.Header().Get("Content-Length") == "" || w.Header().Get("Content-Encoding") != "gzip" {
		t.Errorf("HEAD headers %v", w.Header())
	}
}

func TestMethodNotAllowed(t *testing.T) {
	w := get(handler(t, testFS(t)), http.MethodPost, "/")
	if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST /: status %d, Allow %q", w.Code, w.Header().Get("Allow"))
	}
}

// TestPlaceholder: without a built page "/" says how to build it.
func TestPlaceholder(t *testing.T) {
	fsys := fstest.MapFS{"placeholder.html": {Data: []byte("<p>run make web</p>")}}
	w := get(handler(t, fsys), http.MethodGet, "/")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "make web") {
		t.Errorf("status %d, body %q", w.Code, w.Body.String())
	}
	check(t, w, "Cache-Control", "no-cache")
}

func TestBrokenGzip(t *testing.T) {
	if _, err := New(fstest.MapFS{"index.html.gz": {Data: []byte("not gzip")}}); err == nil {
		t.Error("a .gz file that is not gzip was accepted")
	}
	both := fstest.MapFS{"a.js": {Data: []byte("1")}, "a.js.gz": {Data: gz(t, "1")}}
	if _, err := New(both); err == nil {
		t.Error("a file stored both compressed and not was accepted")
	}
}

// TestEmbedded: the embedded assets load, and "/" serves either the map
// or the placeholder that says how to build it.
func TestEmbedded(t *testing.T) {
	w := get(Handler(), http.MethodGet, "/")
	if w.Code != http.StatusOK {
		t.Fatalf("GET /: status %d", w.Code)
	}
	body, _ := io.ReadAll(w.Body)
	want := "make web"
	if Built() {
		want = "<script"
	}
	if !strings.Contains(string(body), want) {
		t.Errorf("GET / (built: %v) lacks %q:\n%s", Built(), want, body)
	}
}

func TestAcceptsGzip(t *testing.T) {
	for header, want := range map[string]bool{
		"": false, "gzip": true, "GZIP": true, "deflate, gzip;q=0.5": true, "gzip;q=0": false,
		"gzip; q=0.000": false, "*": true, "*;q=0": false, "br": false, "x-gzip": true, "gzip;q=0, *": false,
	} {
		if got := acceptsGzip(header); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", header, got, want)
		}
	}
}

// TestJavaScript runs the page's unit tests (web/test, node --test): the
// basemap's antimeridian fixes, permalinks and coverage cells.
func TestJavaScript(t *testing.T) {
	_, noNode := exec.LookPath("node")
	_, noModules := os.Stat("node_modules/h3-js")
	for _, missing := range []struct {
		err error
		fix string
	}{
		{noNode, "node is missing: apt-get install -y nodejs npm"},
		{noModules, "web/node_modules is missing: make web"},
	} {
		switch {
		case missing.err == nil:
		case os.Getenv("CI") == "true":
			t.Fatal(missing.fix)
		default:
			t.Skip(missing.fix)
		}
	}
	out, err := exec.Command("node", "--test", "test/").CombinedOutput()
	if err != nil {
		t.Fatalf("node --test test/: %v\n%s", err, out)
	}
}
