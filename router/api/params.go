package api

import (
	"encoding"
	"encoding/hex"
	"net/http"
	"strconv"

	"github.com/hexnet/hexnet/router"
)

// pathID reads an organisation, application or route ID from the path.
func pathID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if err := router.CheckID(id); err != nil {
		return "", badRequest("%v", err)
	}
	return id, nil
}

// checkID validates an ID field of a request body.
func checkID(field, id string) error {
	if err := router.CheckID(id); err != nil {
		return badRequest("field %q: %v", field, err)
	}
	return nil
}

// hexField parses a required hex field of exactly len(dst) bytes (an EUI,
// DevAddr, NetID or AES key).
func hexField(field, s string, dst encoding.TextUnmarshaler, size int) error {
	if s == "" {
		return badRequest("field %q is required (%d hex digits)", field, 2*size)
	}
	if b, err := hex.DecodeString(s); err != nil || len(b) != size {
		return badRequest("field %q: %q is not %d hex digits", field, s, 2*size)
	}
	if err := dst.UnmarshalText([]byte(s)); err != nil {
		return badRequest("field %q: %v", field, err)
	}
	return nil
}

// optionalHex is hexField for a field that may be empty (left zero).
func optionalHex(field, s string, dst encoding.TextUnmarshaler, size int) error {
	if s == "" {
		return nil
	}
	return hexField(field, s, dst, size)
}

// limitParam reads ?limit=N (1..1000), default def.
func limitParam(r *http.Request, def int) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1000 {
		return 0, badRequest("limit %q: want a number from 1 to 1000", v)
	}
	return n, nil
}

// queryID reads an optional ID filter from the query string.
func queryID(r *http.Request, name string) (string, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return "", nil
	}
	if err := router.CheckID(v); err != nil {
		return "", badRequest("query %q: %v", name, err)
	}
	return v, nil
}
