package api

import (
	"net/http"
	"time"
)

// routeUnmatched labels requests no pattern matched.
const routeUnmatched = "unmatched"

// dispatcher sends matched requests to the mux and answers the rest
// (unknown paths, wrong methods) with JSON errors instead of plain text.
type dispatcher struct {
	mux *http.ServeMux
	s   *server
}

func (d *dispatcher) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, pattern := d.mux.Handler(r)
	if pattern != "" {
		d.mux.ServeHTTP(w, r)
		return
	}
	start := time.Now()
	rec := &statusRecorder{header: http.Header{}}
	h.ServeHTTP(rec, r) // the mux's 404, 405 or redirect
	var resp *response
	switch rec.status {
	case http.StatusMethodNotAllowed:
		w.Header()["Allow"] = rec.header.Values("Allow")
		resp = errorResponse(rec.status, r.Method+" is not allowed on "+r.URL.Path+"; allowed: "+rec.header.Get("Allow"))
	case http.StatusNotFound:
		resp = errorResponse(rec.status, "no such endpoint: "+r.Method+" "+r.URL.Path)
	default: // a redirect to the cleaned path: pass it on
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.status)
		d.s.observe(routeUnmatched, r, rec.status, time.Since(start))
		return
	}
	write(w, resp)
	d.s.observe(routeUnmatched, r, resp.status, time.Since(start))
}

// statusRecorder keeps the status and headers of the mux's own answers.
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
