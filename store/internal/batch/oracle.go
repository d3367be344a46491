package batch

import (
	"bytes"
	"fmt"
	"math"
	"slices"

	"github.com/hexnet/hexnet/oracle"
)

// Int64 converts a uint64 for a signed 64-bit SQL integer column; what
// names the value in the error when it does not fit.
func Int64(what string, v uint64) (int64, error) {
	if v > math.MaxInt64 {
		return 0, fmt.Errorf("%s %d is above %d, the largest the store keeps", what, v, int64(math.MaxInt64))
	}
	return int64(v), nil
}

// Reports returns the reports with repeated IDs dropped (the first one
// wins), sorted by ID so that concurrent writers lock rows in the same
// order. It fails, naming the report, if an epoch or round does not fit
// the store. The input is not modified.
func Reports(reports []oracle.Report) ([]oracle.Report, error) {
	out := make([]oracle.Report, 0, len(reports))
	seen := make(map[[32]byte]bool, len(reports))
	for _, r := range reports {
		if seen[r.ID] {
			continue
		}
		if err := reportFits(r); err != nil {
			return nil, fmt.Errorf("report %x: %w", r.ID, err)
		}
		seen[r.ID] = true
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b oracle.Report) int { return bytes.Compare(a.ID[:], b.ID[:]) })
	return out, nil
}

func reportFits(r oracle.Report) error {
	if _, err := Int64("epoch", r.Epoch); err != nil {
		return err
	}
	_, err := Int64("round", r.Round)
	return err
}

// Close checks what CloseEpoch was given before anything is written: the
// epoch number, root and amounts fit the store, every verdict belongs to
// the epoch, and no report ID or manifest hotspot repeats.
func Close(e oracle.Epoch, manifest []oracle.ManifestEntry, verdicts []oracle.Verdict) error {
	if _, err := Int64("epoch", e.Number); err != nil {
		return err
	}
	if err := checkManifest(manifest); err != nil {
		return err
	}
	return checkVerdicts(e.Number, verdicts)
}

func checkManifest(manifest []oracle.ManifestEntry) error {
	seen := make(map[string]bool, len(manifest))
	for _, m := range manifest {
		if seen[string(m.Hotspot)] {
			return fmt.Errorf("manifest names hotspot %s twice", m.Hotspot)
		}
		seen[string(m.Hotspot)] = true
		for _, v := range []uint64{m.Beacon, m.Witness, m.Data, m.Total} {
			if _, err := Int64("amount", v); err != nil {
				return fmt.Errorf("manifest entry of hotspot %s: %w", m.Hotspot, err)
			}
		}
	}
	return nil
}

func checkVerdicts(epoch uint64, verdicts []oracle.Verdict) error {
	seen := make(map[[32]byte]bool, len(verdicts))
	for _, v := range verdicts {
		if v.Epoch != epoch {
			return fmt.Errorf("verdict of report %x is of epoch %d, not of epoch %d being closed", v.ReportID, v.Epoch, epoch)
		}
		if seen[v.ReportID] {
			return fmt.Errorf("two verdicts of report %x", v.ReportID)
		}
		seen[v.ReportID] = true
	}
	return nil
}
