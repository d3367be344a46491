package store

import "testing"

func TestParseURL(t *testing.T) {
	cases := []struct {
		url     string
		dialect Dialect
		rest    string
		ok      bool
	}{
		{"postgres://postgres@127.0.0.1:5432/test", Postgres, "postgres://postgres@127.0.0.1:5432/test", true},
		{"postgresql://u@h/db?sslmode=disable", Postgres, "postgresql://u@h/db?sslmode=disable", true},
		{"sqlite:///var/lib/hexnet/router.db", SQLite, "/var/lib/hexnet/router.db", true},
		{"sqlite://router.db", SQLite, "router.db", true},
		{"sqlite::memory:", SQLite, ":memory:", true},
		{"mysql://x", "", "", false},
		{"", "", "", false},
		{"/var/lib/router.db", "", "", false},
	}
	for _, c := range cases {
		d, rest, err := ParseURL(c.url)
		if (err == nil) != c.ok || d != c.dialect || rest != c.rest {
			t.Errorf("ParseURL(%q) = %q, %q, %v; want %q, %q, ok=%v", c.url, d, rest, err, c.dialect, c.rest, c.ok)
		}
	}
}
