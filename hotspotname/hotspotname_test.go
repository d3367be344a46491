package hotspotname

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hexnet/hexnet/identity"
)

// TestGolden pins names: they must never change for an address.
func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		addr identity.Address
		want string
	}{
		{"11111111111111111111111111111111", "dizzy-paper-okapi"},
		{"4Nd1mYcTYjH5JPXBHTAkzwK7Y3hEVUmqmZgYvzBbfWHq", "windy-cherry-panther"},
		{"9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin", "roomy-birch-fox"},
	} {
		if got := Of(tc.addr); got != tc.want {
			t.Errorf("Of(%s) = %q, want %q", tc.addr, got, tc.want)
		}
	}
}

var word = regexp.MustCompile(`^[a-z]{2,11}$`)

func TestWordLists(t *testing.T) {
	seen := map[string]string{}
	for name, list := range map[string][256]string{"adjectives": adjectives, "colours": colours, "animals": animals} {
		for i, w := range list {
			if !word.MatchString(w) {
				t.Errorf("%s[%d] = %q: want 2 to 11 letters a-z", name, i, w)
			}
			if other, dup := seen[w]; dup {
				t.Errorf("%q is in %s and in %s", w, name, other)
			}
			seen[w] = name
		}
	}
	if len(seen) != 3*256 {
		t.Errorf("%d distinct words, want %d", len(seen), 3*256)
	}
}

func TestOfIsValidAndSpread(t *testing.T) {
	names := map[string]bool{}
	for range 1000 {
		k, err := identity.Generate()
		if err != nil {
			t.Fatal(err)
		}
		n := Of(k.Address())
		if !Valid(n) || Normalize(n) != n || strings.Count(n, "-") != 2 {
			t.Fatalf("Of(%s) = %q is not a normalised valid name", k.Address(), n)
		}
		names[n] = true
	}
	if len(names) < 990 { // 1000 of 16.7 million: a collision or two at most
		t.Errorf("%d distinct names for 1000 addresses", len(names))
	}
}

func TestNormalize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"brisk-amber-otter", "brisk-amber-otter"},
		{"Brisk Amber Otter", "brisk-amber-otter"},
		{"  brisk   amber\totter  ", "brisk-amber-otter"},
		{"BRISK_AMBER__OTTER", "brisk-amber-otter"},
		{"brisk--amber---otter", "brisk-amber-otter"},
		{"-brisk-amber-", "brisk-amber"},
		{"brisk -_ amber", "brisk-amber"},
		{"brisk-", "brisk"},
		{"", ""},
		{" - _ ", ""},
		{"Ünïcode Ötter", "ünïcode-ötter"},
		{"4Nd1mY", "4nd1my"},
	} {
		if got := Normalize(tc.in); got != tc.want {
			t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestValid(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"dizzy-paper-okapi", true},
		{"Dizzy Paper Okapi", true},
		{"paper-dizzy-okapi", false}, // words in the wrong lists
		{"dizzy-paper", false},
		{"dizzy-paper-okapi-extra", false},
		{"dizzy-paper-unicorn", false},
		{"", false},
	} {
		if got := Valid(tc.in); got != tc.want {
			t.Errorf("Valid(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// FuzzNormalize: normalising is idempotent and leaves no empty word.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"Brisk Amber Otter", "--a__b  c--", "", "\u00a0x\u2003y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if Normalize(n) != n {
			t.Fatalf("Normalize(%q) = %q, and again %q", s, n, Normalize(n))
		}
		if strings.HasPrefix(n, "-") || strings.HasSuffix(n, "-") || strings.Contains(n, "--") {
			t.Fatalf("Normalize(%q) = %q has an empty word", s, n)
		}
	})
}
