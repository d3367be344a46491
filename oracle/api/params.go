package api

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/hexnet/hexnet/geo"
	"github.com/hexnet/hexnet/identity"
)

// maxBody bounds request bodies: a signed onboarding request is ~300 bytes.
const maxBody = 64 << 10

// pathAddress reads the {address} path segment.
func pathAddress(r *http.Request) (identity.Address, error) {
	a := identity.Address(r.PathValue("address"))
	if !a.Valid() {
		return "", badRequest("address %q is not a base58 ed25519 public key", string(a))
	}
	return a, nil
}

// parseEpoch reads an epoch number; what names it in the error.
func parseEpoch(s, what string) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n > math.MaxInt64 {
		return 0, badRequest("%s %q is not an epoch number (0..%d)", what, s, int64(math.MaxInt64))
	}
	return n, nil
}

// queryEpoch reads ?epoch=N; ok is false when it is absent.
func queryEpoch(r *http.Request) (n uint64, ok bool, err error) {
	q := r.URL.Query()
	if !q.Has("epoch") {
		return 0, false, nil
	}
	n, err = parseEpoch(q.Get("epoch"), "query parameter epoch")
	return n, err == nil, err
}

// queryRes reads the required ?res=R, an H3 resolution up to the asserted one.
func queryRes(r *http.Request) (int, error) {
	q := r.URL.Query()
	if !q.Has("res") {
		return 0, badRequest("query parameter res is required: an H3 resolution 0..%d", geo.ResAsserted)
	}
	res, err := strconv.Atoi(q.Get("res"))
	if err != nil || res < 0 || res > geo.ResAsserted {
		return 0, badRequest("query parameter res %q is not an H3 resolution 0..%d", q.Get("res"), geo.ResAsserted)
	}
	return res, nil
}

// bbox is a bounding box in degrees. MinLng > MaxLng means it crosses the
// antimeridian.
type bbox struct {
	MinLng, MinLat, MaxLng, MaxLat float64
}

// contains reports whether p lies in the box (edges included); a nil box
// contains everything.
func (b *bbox) contains(p geo.Point) bool {
	if b == nil {
		return true
	}
	if p.Lat < b.MinLat || p.Lat > b.MaxLat {
		return false
	}
	if b.MinLng <= b.MaxLng {
		return p.Lng >= b.MinLng && p.Lng <= b.MaxLng
	}
	return p.Lng >= b.MinLng || p.Lng <= b.MaxLng
}

// queryBBox reads ?bbox=minLng,minLat,maxLng,maxLat (nil when absent).
func queryBBox(r *http.Request) (*bbox, error) {
	q := r.URL.Query()
	if !q.Has("bbox") {
		return nil, nil
	}
	s := q.Get("bbox")
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return nil, badRequest("query parameter bbox %q: want minLng,minLat,maxLng,maxLat in degrees", s)
	}
	var v [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, badRequest("query parameter bbox %q: %q is not a number", s, p)
		}
		v[i] = f
	}
	b := &bbox{MinLng: v[0], MinLat: v[1], MaxLng: v[2], MaxLat: v[3]}
	switch {
	case b.MinLng < -180 || b.MinLng > 180 || b.MaxLng < -180 || b.MaxLng > 180:
		return nil, badRequest("query parameter bbox %q: longitudes must be in [-180, 180]", s)
	case b.MinLat < -90 || b.MinLat > 90 || b.MaxLat < -90 || b.MaxLat > 90:
		return nil, badRequest("query parameter bbox %q: latitudes must be in [-90, 90]", s)
	case b.MinLat > b.MaxLat:
		return nil, badRequest("query parameter bbox %q: minLat is above maxLat", s)
	}
	return b, nil
}

// decodeBody reads a JSON body of at most maxBody bytes into dst, refusing
// unknown fields so that a misspelt one is not silently ignored.
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

// decodeBase64 reads a required standard-base64 field.
func decodeBase64(field, s string) ([]byte, error) {
	if s == "" {
		return nil, badRequest("field %q is required (standard base64)", field)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, badRequest("field %q is not standard base64: %v", field, err)
	}
	return b, nil
}
