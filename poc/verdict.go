package poc

import "fmt"

// Verdict is the judgement on one report.
//
// Valid means the report passed every rule: as far as the verifier can
// tell it is true, and it counts as activity (coverage, reciprocity).
// Selected means it also earns: a beacon whose beaconer is reciprocal, or a
// witness among the first Params.MaxWitnesses valid, reciprocal witnesses
// by arrival. Reason is Valid exactly when Selected; a valid report that
// does not earn says why (NotSelected, NotReciprocal); an invalid one
// carries the first rule it broke. Detail gives the numbers behind the
// reason, e.g. "RSSI -40.0 dBm > max -57.3 dBm at 508 m".
type Verdict struct {
	Reason   Reason
	Valid    bool
	Selected bool
	Detail   string
}

// Err is nil for a selected report and otherwise an error wrapping the
// Reason, so errors.Is(v.Err(), poc.TooClose) works.
func (v Verdict) Err() error {
	if v.Selected {
		return nil
	}
	if v.Detail == "" {
		return v.Reason
	}
	return fmt.Errorf("%w (%s)", v.Reason, v.Detail)
}

// reject is an invalid verdict.
func reject(r Reason, format string, args ...any) Verdict {
	return Verdict{Reason: r, Detail: fmt.Sprintf(format, args...)}
}

// accept is a valid, selected verdict.
func accept(detail string) Verdict {
	return Verdict{Reason: Valid, Valid: true, Selected: true, Detail: detail}
}

// unselect keeps v valid but unrewarded for reason r.
func unselect(v Verdict, r Reason) Verdict {
	v.Reason, v.Selected = r, false
	return v
}
