package sim

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hexnet/hexnet/geo"
)

// ErrUnknownCity reports a city name not in Cities.
var ErrUnknownCity = errors.New("sim: unknown city")

// City is the disc the world is placed in.
type City struct {
	Name    string // lower-case key, as given to --city
	Label   string // for humans
	Centre  geo.Point
	RadiusM float64
}

// Cities lists the known cities, sorted by name. All are in the EU868
// region, the band the simulated devices use.
func Cities() []City {
	cs := []City{
		{Name: "lisbon", Label: "Lisbon, Portugal", Centre: geo.Point{Lat: 38.7223, Lng: -9.1393}, RadiusM: 5000},
		{Name: "zurich", Label: "Zürich, Switzerland", Centre: geo.Point{Lat: 47.3769, Lng: 8.5417}, RadiusM: 4000},
		{Name: "amsterdam", Label: "Amsterdam, Netherlands", Centre: geo.Point{Lat: 52.3676, Lng: 4.9041}, RadiusM: 5000},
		{Name: "berlin", Label: "Berlin, Germany", Centre: geo.Point{Lat: 52.5200, Lng: 13.4050}, RadiusM: 8000},
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].Name < cs[j].Name })
	return cs
}

// LookupCity finds a city by name, ignoring case and surrounding space.
func LookupCity(name string) (City, error) {
	key := strings.ToLower(strings.TrimSpace(name))
	var names []string
	for _, c := range Cities() {
		if c.Name == key {
			return c, nil
		}
		names = append(names, c.Name)
	}
	return City{}, fmt.Errorf("%w %q; known cities: %s", ErrUnknownCity, name, strings.Join(names, ", "))
}
