package api

import (
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/hexnet/hexnet/hotspotname"
	"github.com/hexnet/hexnet/oracle"
)

// searchJSON is GET /api/v1/search.
type searchJSON struct {
	Hotspots  []hotspotJSON `json:"hotspots"`
	Truncated bool          `json:"truncated"` // more matched than limit
}

// Bounds of GET /api/v1/search.
const (
	searchMinQuery = 2
	searchMaxQuery = 100
	searchLimit    = 20
	searchMaxLimit = 100
)

// search is GET /api/v1/search?q=TEXT[&limit=N]: hotspots whose name
// starts with q normalised (hotspotname.Normalize) or whose address starts
// with q as written; exact matches first, then by name.
func (s *server) search(r *http.Request) (*response, error) {
	q, err := querySearch(r)
	if err != nil {
		return nil, err
	}
	limit, err := queryLimit(r, searchLimit, searchMaxLimit)
	if err != nil {
		return nil, err
	}
	hs, err := s.store.ListOnboarded(r.Context())
	if err != nil {
		return nil, err
	}
	found := matchHotspots(hs, q)
	out := searchJSON{Hotspots: make([]hotspotJSON, 0, min(limit, len(found))), Truncated: len(found) > limit}
	for _, m := range found[:min(limit, len(found))] {
		out.Hotspots = append(out.Hotspots, s.hotspot(m.info))
	}
	return ok(out, cacheLive)
}

// querySearch reads the required ?q, trimmed, of searchMinQuery to
// searchMaxQuery characters.
func querySearch(r *http.Request) (string, error) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if n := utf8.RuneCountInString(q); n < searchMinQuery || n > searchMaxQuery {
		return "", badRequest("query parameter q is required: %d to %d characters of a hotspot's name or address",
			searchMinQuery, searchMaxQuery)
	}
	return q, nil
}

// match is a hotspot found by a search.
type match struct {
	info  oracle.HotspotInfo
	name  string
	exact bool
}

// matchHotspots finds the hotspots q names, in the order search lists them.
func matchHotspots(hs []oracle.HotspotInfo, q string) []match {
	name := hotspotname.Normalize(q)
	var out []match
	for _, h := range hs {
		n := hotspotname.Of(h.Address)
		byName := name != "" && strings.HasPrefix(n, name)
		if !byName && !strings.HasPrefix(string(h.Address), q) {
			continue
		}
		out = append(out, match{info: h, name: n, exact: n == name || string(h.Address) == q})
	}
	slices.SortStableFunc(out, func(a, b match) int {
		switch {
		case a.exact != b.exact:
			if a.exact {
				return -1
			}
			return 1
		case a.name != b.name:
			return strings.Compare(a.name, b.name)
		}
		return strings.Compare(string(a.info.Address), string(b.info.Address))
	})
	return out
}
