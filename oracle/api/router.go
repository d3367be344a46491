package api

import (
	"net/http"
	"time"
)

// routeUnmatched labels requests no pattern matched.
const routeUnmatched = "unmatched"

// router sends matched requests to the mux and answers the rest (unknown
// paths, wrong methods) with JSON errors instead of the mux's plain text.
type router struct {
	mux *http.ServeMux
	s   *server
}

func (rt *router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, pattern := rt.mux.Handler(r)
	if pattern != "" {
		rt.mux.ServeHTTP(w, r)
		return
	}
	start := time.Now()
	rec := &statusRecorder{header: http.Header{}}
	h.ServeHTTP(rec, r) // the mux's 404, 405 or redirect
	var resp *response
	switch rec.status {
	case http.StatusNotFound:
		resp = errorResponse(rec.status, "no such endpoint: "+r.Method+" "+r.URL.Path)
	case http.StatusMethodNotAllowed:
		resp = errorResponse(rec.status, r.Method+" is not allowed on "+r.URL.Path+"; allowed: "+rec.header.Get("Allow"))
		resp.header = http.Header{"Allow": rec.header.Values("Allow")}
	default: // a redirect to the cleaned path: pass it on as it is
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.status)
		rt.s.observe(routeUnmatched, r, rec.status, time.Since(start))
		return
	}
	code := write(w, r, resp)
	rt.s.observe(routeUnmatched, r, code, time.Since(start))
}

// statusRecorder keeps the status and headers of the mux's own answers and
// drops their plain-text bodies.
type statusRecorder struct {
	header http.Header
	status int
}

func (s *statusRecorder) Header() http.Header { return s.header }

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.WriteHeader(http.StatusOK)
	return len(b), nil
}
