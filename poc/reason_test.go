package poc

import (
	"errors"
	"regexp"
	"testing"
)

func TestReasons(t *testing.T) {
	snake := regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`)
	seen := map[Reason]bool{}
	for _, r := range AllReasons() {
		if seen[r] {
			t.Errorf("%s listed twice", r)
		}
		seen[r] = true
		if !snake.MatchString(string(r)) {
			t.Errorf("%q is not snake_case", r)
		}
		if e := r.Explain(); e == "" || e == "Unknown reason." {
			t.Errorf("%s has no explanation", r)
		}
	}
	if Reason("nonsense").Explain() != "Unknown reason." {
		t.Error("unknown reasons must say so")
	}
	v := reject(TooClose, "3 cells")
	if !errors.Is(v.Err(), TooClose) || errors.Is(v.Err(), TooFar) {
		t.Errorf("Err() = %v", v.Err())
	}
}

func TestParamsValidate(t *testing.T) {
	if err := DefaultParams().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	bad := []func(*Params){
		func(p *Params) { p.MaxWitnessLag = -1 },
		func(p *Params) { p.CloseResolution = 16 },
		func(p *Params) { p.MaxWitnesses = -1 },
		func(p *Params) { p.MinPathM = 0 },
		func(p *Params) { p.ReciprocityWindow = -1 },
		func(p *Params) { p.Rewards.DecayNum = 6 },
		func(p *Params) { p.Rewards.Redundancy = 0 },
		func(p *Params) { p.Density = append(p.Density, DensityLevel{8, 2, 1, 1}) },
		func(p *Params) { p.Density[0].Max = 10 },
	}
	for i, edit := range bad {
		p := DefaultParams()
		edit(&p)
		if err := p.Validate(); !errors.Is(err, ErrParams) {
			t.Errorf("case %d: %v, want ErrParams", i, err)
		}
	}
}
