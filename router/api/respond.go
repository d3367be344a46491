package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/hexnet/hexnet/store"
)

// maxBody bounds request bodies.
const maxBody = 64 << 10

// handlerFunc is an endpoint: what to send, or an error that serve turns
// into a JSON error with the right status.
type handlerFunc func(r *http.Request) (*response, error)

// response is a JSON body with its status and extra headers; a nil body
// sends none.
type response struct {
	status int
	body   any
	header http.Header
}

func ok(body any) (*response, error)      { return &response{http.StatusOK, body, nil}, nil }
func created(body any) (*response, error) { return &response{http.StatusCreated, body, nil}, nil }
func noContent() (*response, error)       { return &response{status: http.StatusNoContent}, nil }

// apiError is an error the client caused; header is sent with it.
type apiError struct {
	status int
	msg    string
	header http.Header
}

func (e *apiError) Error() string { return e.msg }

func errorf(status int, format string, args ...any) error {
	return &apiError{status: status, msg: fmt.Sprintf(format, args...)}
}

func badRequest(format string, args ...any) error {
	return errorf(http.StatusBadRequest, format, args...)
}

type errorJSON struct {
	Error string `json:"error"`
}

func errorResponse(status int, msg string) *response {
	return &response{status: status, body: errorJSON{Error: msg}}
}

// serve adapts a handlerFunc: JSON encoding, errors, the log line, metrics.
func (s *server) serve(route string, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		resp, err := h(r)
		if err != nil {
			resp = s.failure(route, r, err)
		}
		write(w, resp)
		s.metrics.Observe(route, r, resp.status, time.Since(start))
	})
}

// failure turns an error into a JSON error. Store sentinels keep their
// message (it names the record); other errors are logged, not shown.
func (s *server) failure(route string, r *http.Request, err error) *response {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		resp := errorResponse(ae.status, ae.msg)
		resp.header = ae.header
		return resp
	case errors.Is(err, store.ErrNotFound):
		return errorResponse(http.StatusNotFound, err.Error())
	case errors.Is(err, store.ErrConflict):
		return errorResponse(http.StatusConflict, err.Error())
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		return errorResponse(http.StatusServiceUnavailable, "request cancelled")
	}
	s.log.Error("api request failed", "route", route, "path", r.URL.Path, "err", err)
	return errorResponse(http.StatusInternalServerError, "internal error; the router's log has the details")
}

func write(w http.ResponseWriter, resp *response) {
	h := w.Header()
	for k, v := range resp.header {
		h[k] = v
	}
	h.Set("Cache-Control", "no-store")
	if resp.body == nil {
		w.WriteHeader(resp.status)
		return
	}
	body, err := json.Marshal(resp.body)
	if err != nil {
		resp = errorResponse(http.StatusInternalServerError, "encode response: "+err.Error())
		body, _ = json.Marshal(resp.body)
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(resp.status)
	w.Write(append(body, '\n'))
}

// decodeBody reads one JSON object with no unknown fields into dst.
func decodeBody(r *http.Request, dst any) error {
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return badRequest("read request body: %v", err)
	}
	if len(raw) > maxBody {
		return errorf(http.StatusRequestEntityTooLarge, "request body over %d bytes", maxBody)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return badRequest("request body is not the expected JSON object: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest("request body has data after the JSON object")
	}
	return nil
}
