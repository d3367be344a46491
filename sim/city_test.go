package sim

import (
	"errors"
	"strings"
	"testing"
)

func TestLookupCity(t *testing.T) {
	for _, name := range []string{"lisbon", "Lisbon", " ZURICH "} {
		c, err := LookupCity(name)
		if err != nil || c.Name != strings.ToLower(strings.TrimSpace(name)) {
			t.Errorf("LookupCity(%q) = %+v, %v", name, c, err)
		}
	}
}

func TestLookupCityUnknownListsKnown(t *testing.T) {
	_, err := LookupCity("atlantis")
	if !errors.Is(err, ErrUnknownCity) {
		t.Fatalf("error %v, want ErrUnknownCity", err)
	}
	for _, c := range Cities() {
		if !strings.Contains(err.Error(), c.Name) {
			t.Errorf("error %q does not list %q", err, c.Name)
		}
	}
}

func TestCitiesAreValid(t *testing.T) {
	for _, c := range Cities() {
		if !c.Centre.Valid() || c.RadiusM <= 0 || c.Name != strings.ToLower(c.Name) {
			t.Errorf("city %+v", c)
		}
	}
}
