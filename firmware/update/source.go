package update

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// Source is where releases are published: a directory or an HTTP base URL.
type Source interface {
	// Open reads ref: a file name relative to the release (manifest.json,
	// an artifact's url) or, for HTTP sources, an absolute URL.
	Open(ctx context.Context, ref string) (io.ReadCloser, error)
	String() string
}

// NewSource reads --update-source: an http:// or https:// URL of the
// release directory, or a local directory.
func NewSource(s string) (Source, error) {
	if strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") {
		u, err := url.Parse(s)
		if err != nil {
			return nil, fmt.Errorf("update source %q: %w", s, err)
		}
		if !strings.HasSuffix(u.Path, "/") {
			u.Path += "/"
		}
		return &HTTPSource{Base: u, Client: &http.Client{Timeout: 5 * time.Minute}}, nil
	}
	if s == "" {
		return nil, fmt.Errorf("update source is empty")
	}
	return Dir(s), nil
}

// Dir is a release directory on the local file system.
type Dir string

// Open opens a file of the directory; refs may not leave it.
func (d Dir) Open(_ context.Context, ref string) (io.ReadCloser, error) {
	if !filepath.IsLocal(ref) {
		return nil, fmt.Errorf("%w: %q is not a file name inside %s", ErrFetch, ref, string(d))
	}
	f, err := os.Open(filepath.Join(string(d), ref))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFetch, err)
	}
	return f, nil
}

func (d Dir) String() string { return string(d) }

// HTTPSource is a release directory served over HTTP(S).
type HTTPSource struct {
	Base   *url.URL // ends in "/"
	Client *http.Client
}

// Open GETs ref resolved against Base.
func (h *HTTPSource) Open(ctx context.Context, ref string) (io.ReadCloser, error) {
	u, err := h.Base.Parse(ref)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || path.Clean(u.Path) == "/" {
		return nil, fmt.Errorf("%w: bad reference %q", ErrFetch, ref)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFetch, err)
	}
	resp, err := h.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFetch, err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("%w: GET %s: %s", ErrFetch, u, resp.Status)
	}
	return resp.Body, nil
}

func (h *HTTPSource) String() string { return h.Base.String() }

// readSmall reads a whole small file (manifest, signature) of at most max bytes.
func readSmall(ctx context.Context, src Source, ref string, max int64) ([]byte, error) {
	r, err := src.Open(ctx, ref)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("%w: read %s: %v", ErrFetch, ref, err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%w: %s is larger than %d bytes", ErrMalformed, ref, max)
	}
	return b, nil
}
