package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hexnet/hexnet/store"
)

// handlerFunc is an endpoint: it returns what to send, or an error that
// serve turns into a JSON error with the right status.
type handlerFunc func(r *http.Request) (*response, error)

// cachePolicy says how long a response may be kept.
type cachePolicy int

const (
	// cacheLive: may change any time; clients revalidate with the ETag.
	cacheLive cachePolicy = iota
	// cacheClosed: about a closed epoch that is not paid yet (only its
	// status and signatures may still change).
	cacheClosed
	// cacheFinal: about a paid epoch, or a closed epoch's manifest: never changes.
	cacheFinal
)

func (p cachePolicy) header() string {
	switch p {
	case cacheClosed:
		return "public, max-age=60"
	case cacheFinal:
		return "public, max-age=86400"
	}
	return "no-cache"
}

// epochCache is the policy for a response about an epoch in status st.
func epochCache(st string) cachePolicy {
	switch st {
	case "closed":
		return cacheClosed
	case "paid":
		return cacheFinal
	}
	return cacheLive
}

// response is a body, encoded as JSON, with its status and headers.
type response struct {
	status      int
	body        any
	cache       cachePolicy
	header      http.Header
	contentType string // "" is JSON; the body is JSON whatever this says
	raw         []byte // body already encoded (no final newline); body is ignored
}

// jsonType is the Content-Type of responses and of every error.
const jsonType = "application/json; charset=utf-8"

func ok(body any, cache cachePolicy) (*response, error) {
	return &response{status: http.StatusOK, body: body, cache: cache}, nil
}

// apiError is an error the client caused or should know about.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func errorf(status int, format string, args ...any) error {
	return &apiError{status: status, msg: fmt.Sprintf(format, args...)}
}

func badRequest(format string, args ...any) error {
	return errorf(http.StatusBadRequest, format, args...)
}
func notFound(format string, args ...any) error { return errorf(http.StatusNotFound, format, args...) }

type errorJSON struct {
	Error string `json:"error"`
}

// serve adapts a handlerFunc: JSON encoding, errors, ETags, the request
// log line and metrics.
func (s *server) serve(route string, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		resp, err := h(r)
		if err != nil {
			resp = s.failure(route, r, err)
		}
		code := write(w, r, resp)
		s.metrics.Observe(route, r, code, time.Since(start))
	})
}

// failure turns an error into a JSON error response. Errors the client did
// not cause are logged and not shown.
func (s *server) failure(route string, r *http.Request, err error) *response {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		return errorResponse(ae.status, ae.msg)
	case errors.Is(err, store.ErrNotFound):
		return errorResponse(http.StatusNotFound, "not found")
	case errors.Is(err, store.ErrConflict):
		return errorResponse(http.StatusConflict, "conflicts with what is stored")
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		return errorResponse(http.StatusServiceUnavailable, "request cancelled")
	}
	s.log.Error("api request failed", "route", route, "path", r.URL.Path, "err", err)
	return errorResponse(http.StatusInternalServerError, "internal error; the oracle's log has the details")
}

func errorResponse(status int, msg string) *response {
	return &response{status: status, body: errorJSON{Error: msg}}
}

// write sends resp and returns the status sent. Successful GET responses
// carry an ETag; a matching If-None-Match gives 304.
func write(w http.ResponseWriter, r *http.Request, resp *response) int {
	body, err := resp.encoded()
	if err != nil {
		resp = errorResponse(http.StatusInternalServerError, "encode response: "+err.Error())
		body, _ = encode(resp.body)
	}
	h := w.Header()
	for k, v := range resp.header {
		h[k] = v
	}
	h.Set("Content-Type", jsonType)
	h.Set("X-Content-Type-Options", "nosniff")
	if resp.status != http.StatusOK || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		h.Set("Cache-Control", "no-store")
		w.WriteHeader(resp.status)
		w.Write(body)
		return resp.status
	}
	tag := etag(body)
	h.Set("ETag", tag)
	h.Set("Cache-Control", resp.cache.header())
	if matches(r.Header.Get("If-None-Match"), tag) {
		h.Del("Content-Type")
		w.WriteHeader(http.StatusNotModified)
		return http.StatusNotModified
	}
	if resp.contentType != "" {
		h.Set("Content-Type", resp.contentType)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
	return http.StatusOK
}

func (r *response) encoded() ([]byte, error) {
	if r.raw != nil {
		return append(r.raw, '\n'), nil
	}
	return encode(r.body)
}

// encode is v as JSON and a newline, with "<", ">" and "&" as they are:
// responses are never HTML, and error messages read "res <= 3".
func encode(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return b.Bytes(), err
}

// etag is a strong validator from the body's SHA-256.
func etag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// matches applies If-None-Match's weak comparison (RFC 9110 13.1.2).
func matches(ifNoneMatch, tag string) bool {
	for _, t := range strings.Split(ifNoneMatch, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == tag {
			return true
		}
	}
	return false
}
