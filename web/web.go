// Package web serves the oracle's coverage map: the page that web/build.mjs
// bundles into web/dist and this package embeds, so a binary serves it with
// no internet and no files beside it.
//
// Assets are stored gzip-compressed (name.gz) and sent as they are to
// clients that accept gzip, decompressed for the others. Names carrying a
// content hash (app-3f2a9c1b7d4e.js) never change and may be cached
// forever; index.html is revalidated with its ETag.
//
// A checkout that has not built the page embeds only dist/placeholder.html,
// which says how to build it (make web); "/" serves that page instead.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
)

//go:embed dist
var dist embed.FS

const (
	indexName       = "index.html"
	placeholderName = "placeholder.html"
	cacheImmutable  = "public, max-age=31536000, immutable"
	cacheRevalidate = "no-cache"
	// pagePolicy keeps the page to its own origin: the map must work with
	// no internet, and a request elsewhere would be a bug.
	pagePolicy = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; " +
		"worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
)

// hashedName matches asset names that carry a content hash.
var hashedName = regexp.MustCompile(`-[0-9a-f]{8,}\.[a-z0-9]+$`)

// Handler serves the embedded page.
func Handler() http.Handler {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // "dist" is a valid path: cannot happen
	}
	h, err := New(sub)
	if err != nil {
		panic(fmt.Sprintf("embedded web assets: %v", err)) // checked by TestEmbedded
	}
	return h
}

// Built reports whether the embedded page is the real one, not the
// placeholder.
func Built() bool {
	_, err := fs.Stat(dist, "dist/"+indexName+".gz")
	return err == nil
}

// assets serves files loaded from an fs.FS laid out like dist/.
type assets struct {
	files map[string]*asset // by URL path without the leading "/"
}

// New serves the files of fsys: name.gz is served as name, compressed;
// any other file as it is. Without index.html, "/" serves
// placeholder.html.
func New(fsys fs.FS) (http.Handler, error) {
	a := &assets{files: map[string]*asset{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		return a.add(p, b)
	})
	if err != nil {
		return nil, err
	}
	if a.files[indexName] == nil && a.files[placeholderName] != nil {
		a.files[indexName] = a.files[placeholderName]
	}
	delete(a.files, placeholderName)
	return a, nil
}

func (a *assets) add(p string, b []byte) error {
	name, gz := strings.CutSuffix(p, ".gz")
	if a.files[name] != nil {
		return fmt.Errorf("%s: stored both compressed and not", name)
	}
	f := &asset{body: b, gzipped: gz, etag: etag(b), contentType: contentType(name), cache: cacheRevalidate}
	if gz {
		if _, err := gunzip(b); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
	}
	if hashedName.MatchString(name) {
		f.cache = cacheImmutable
	}
	a.files[name] = f
	return nil
}

func etag(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// asset is one file as stored.
type asset struct {
	body        []byte
	gzipped     bool // body is gzip-compressed
	etag        string
	contentType string
	cache       string
}

func (a *assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed: the map's assets are read with GET", http.StatusMethodNotAllowed)
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name == "" {
		name = indexName
	}
	f := a.files[name]
	if f == nil {
		http.Error(w, "not found: "+r.URL.Path+" is not part of the map", http.StatusNotFound)
		return
	}
	f.serve(w, r, name)
}

// serve writes the asset, compressed when the client accepts gzip; a
// matching If-None-Match gets 304, HEAD the headers alone. Ranges are not
// offered: the assets are small.
func (f *asset) serve(w http.ResponseWriter, r *http.Request, name string) {
	h := w.Header()
	h.Set("Cache-Control", f.cache)
	body, tag := f.body, f.etag
	if f.gzipped {
		h.Set("Vary", "Accept-Encoding")
		if acceptsGzip(r.Header.Get("Accept-Encoding")) {
			h.Set("Content-Encoding", "gzip")
			tag += "-gzip"
		} else {
			body, _ = gunzip(f.body) // checked when loaded
		}
	}
	h.Set("ETag", `"`+tag+`"`)
	if matches(r.Header.Get("If-None-Match"), tag) {
		h.Del("Content-Encoding")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", f.contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Content-Type-Options", "nosniff")
	if name == indexName {
		h.Set("Content-Security-Policy", pagePolicy)
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// matches reads an If-None-Match header: "*" or a list of entity tags,
// compared weakly.
func matches(header, tag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == `"`+tag+`"` {
			return true
		}
	}
	return false
}

func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

// acceptsGzip reads an Accept-Encoding header: gzip listed with a
// non-zero quality, or else "*" so listed.
func acceptsGzip(header string) bool {
	gz, star := -1.0, -1.0
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(part, ";")
		switch strings.ToLower(strings.TrimSpace(coding)) {
		case "gzip", "x-gzip":
			gz = quality(params)
		case "*":
			star = quality(params)
		}
	}
	if gz >= 0 {
		return gz > 0
	}
	return star > 0
}

// quality reads q=VALUE from a list entry's parameters: 1 when absent, 0
// when unreadable.
func quality(params string) float64 {
	for _, p := range strings.Split(params, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(k, "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return 0
			}
			return q
		}
	}
	return 1
}

var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".mjs":  "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".json": "application/json",
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".ico":  "image/x-icon",
	".txt":  "text/plain; charset=utf-8",
	".map":  "application/json",
}

// contentType is fixed here rather than read from the system's MIME
// tables, which differ between machines.
func contentType(name string) string {
	if t, ok := contentTypes[path.Ext(name)]; ok {
		return t
	}
	return "application/octet-stream"
}
