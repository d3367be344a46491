package update

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is a parsed semantic version (semver.org 2.0.0), with or without a
// leading "v". Build metadata (after "+") is kept for printing but ignored in
// comparisons, as the specification says.
type Version struct {
	Major, Minor, Patch uint64
	Pre                 []string // pre-release identifiers, e.g. ["dev", "57"]
	raw                 string
}

// ParseVersion reads "v1.2.3", "1.2.3-rc.1" or "v0.0.0-dev.57+abc1234".
func ParseVersion(s string) (Version, error) {
	v := Version{raw: s}
	core := strings.TrimPrefix(s, "v")
	if i := strings.IndexByte(core, '+'); i >= 0 {
		if !validIdents(core[i+1:], false) {
			return Version{}, fmt.Errorf("version %q: bad build metadata", s)
		}
		core = core[:i]
	}
	if i := strings.IndexByte(core, '-'); i >= 0 {
		if !validIdents(core[i+1:], true) {
			return Version{}, fmt.Errorf("version %q: bad pre-release", s)
		}
		v.Pre = strings.Split(core[i+1:], ".")
		core = core[:i]
	}
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return Version{}, fmt.Errorf("version %q is not semantic (want MAJOR.MINOR.PATCH, e.g. v1.4.0)", s)
	}
	nums := []*uint64{&v.Major, &v.Minor, &v.Patch}
	for i, p := range parts {
		n, ok := numeric(p)
		if !ok {
			return Version{}, fmt.Errorf("version %q: %q is not a number without leading zeros", s, p)
		}
		*nums[i] = n
	}
	return v, nil
}

// numeric parses a decimal without leading zeros.
func numeric(s string) (uint64, bool) {
	if s == "" || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil
}

// validIdents checks dot-separated identifiers of [0-9A-Za-z-]; numeric
// pre-release identifiers may not have leading zeros.
func validIdents(s string, pre bool) bool {
	for _, id := range strings.Split(s, ".") {
		if id == "" {
			return false
		}
		for _, c := range id {
			if !(c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
				return false
			}
		}
		if _, err := strconv.ParseUint(id, 10, 64); pre && err == nil && len(id) > 1 && id[0] == '0' {
			return false
		}
	}
	return true
}

func (v Version) String() string { return v.raw }

// Compare returns -1, 0 or +1 as v is older than, as old as, or newer than w.
func (v Version) Compare(w Version) int {
	for _, d := range [][2]uint64{{v.Major, w.Major}, {v.Minor, w.Minor}, {v.Patch, w.Patch}} {
		if d[0] != d[1] {
			return cmp(d[0] < d[1])
		}
	}
	switch {
	case len(v.Pre) == 0 && len(w.Pre) == 0:
		return 0
	case len(v.Pre) == 0:
		return 1 // a release is newer than its pre-releases
	case len(w.Pre) == 0:
		return -1
	}
	for i := 0; i < len(v.Pre) && i < len(w.Pre); i++ {
		if c := compareIdent(v.Pre[i], w.Pre[i]); c != 0 {
			return c
		}
	}
	switch {
	case len(v.Pre) == len(w.Pre):
		return 0
	case len(v.Pre) < len(w.Pre):
		return -1
	}
	return 1
}

// compareIdent orders pre-release identifiers: numbers numerically and
// before words, words in ASCII order.
func compareIdent(a, b string) int {
	na, errA := strconv.ParseUint(a, 10, 64)
	nb, errB := strconv.ParseUint(b, 10, 64)
	switch {
	case errA == nil && errB == nil:
		if na == nb {
			return 0
		}
		return cmp(na < nb)
	case errA == nil:
		return -1
	case errB == nil:
		return 1
	}
	return strings.Compare(a, b)
}

func cmp(less bool) int {
	if less {
		return -1
	}
	return 1
}
