// Package hotspotname gives every hotspot a stable, memorable name of three
// words, such as "brisk-amber-otter", derived from its address: the same
// address always has the same name, on every machine and in every release.
//
// The name is an adjective, a colour or material, and an animal, each
// picked by one byte of sha256("hexnet/v1/hotspot-name\x00" + address).
// With 256 words per list there are 16,777,216 names, so two hotspots may
// share one: a name finds a hotspot, the address identifies it.
//
// The package is pure Go with no dependencies beyond the standard library
// and identity, so that the hotspot side can print its own name.
package hotspotname

import (
	"crypto/sha256"
	"strings"
	"unicode"

	"github.com/hexnet/hexnet/identity"
)

// domain separates this hash from every other use of an address.
const domain = "hexnet/v1/hotspot-name\x00"

// Of is the name of the hotspot at address a.
func Of(a identity.Address) string {
	sum := sha256.Sum256([]byte(domain + string(a)))
	return adjectives[sum[0]] + "-" + colours[sum[1]] + "-" + animals[sum[2]]
}

// Normalize is s as names are written: lower case, with every run of
// spaces, underscores and hyphens turned into one hyphen, and none at
// either end. "  Brisk Amber__OTTER " becomes "brisk-amber-otter".
func Normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	gap := false
	for _, r := range strings.ToLower(s) {
		if r == '-' || r == '_' || unicode.IsSpace(r) {
			gap = true
			continue
		}
		if gap && b.Len() > 0 {
			b.WriteByte('-')
		}
		gap = false
		b.WriteRune(r)
	}
	return b.String()
}

// Valid reports whether s, once normalised, is a name Of can give: three
// words from the lists, in order.
func Valid(s string) bool {
	words := strings.Split(Normalize(s), "-")
	return len(words) == 3 && index(adjectives, words[0]) >= 0 &&
		index(colours, words[1]) >= 0 && index(animals, words[2]) >= 0
}

func index(list [256]string, w string) int {
	for i, x := range list {
		if x == w {
			return i
		}
	}
	return -1
}
