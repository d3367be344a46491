package api

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

// reasonPending marks reports of an open epoch: not judged yet.
const reasonPending = "pending"

// reportsJSON is GET /api/v1/hotspots/{address}/reports.
type reportsJSON struct {
	Epoch     uint64        `json:"epoch"`
	Status    string        `json:"status"` // the epoch's: open, closed, paid
	Beacons   []beaconJSON  `json:"beacons"`
	Witnesses []witnessJSON `json:"witnesses"`
}

// reportJSON is what beacons and witnesses share: the verdict, explained.
type reportJSON struct {
	ID          string    `json:"id"` // sha256 of the signed envelope, hex
	ReceivedAt  time.Time `json:"received_at"`
	Valid       *bool     `json:"valid"`  // null while the epoch is open
	Reason      string    `json:"reason"` // poc reason code, or "pending"
	Explanation string    `json:"explanation"`
}

// beaconJSON is a beacon report: what the hotspot says it sent.
type beaconJSON struct {
	reportJSON
	Round       uint64    `json:"round"`
	FrequencyHz uint64    `json:"frequency_hz"`
	DataRate    string    `json:"data_rate"` // e.g. "SF9BW125"
	PowerDBm    int32     `json:"power_dbm"`
	TxError     string    `json:"tx_error"` // the forwarder's TX_ACK: "NONE" on success
	TxAt        time.Time `json:"tx_at"`    // hotspot clock
}

// witnessJSON is a witness report: what the hotspot says it heard.
type witnessJSON struct {
	reportJSON
	Selected    *bool     `json:"selected"`  // among the rewarded witnesses; null while open
	BeaconID    *string   `json:"beacon_id"` // the beacon judged against, hex; null if none
	RSSI        float32   `json:"rssi"`
	SNR         float32   `json:"snr"`
	FrequencyHz uint64    `json:"frequency_hz"`
	DataRate    string    `json:"data_rate"`
	HeardAt     time.Time `json:"heard_at"` // hotspot clock
}

func (s *server) hotspotReports(r *http.Request) (*response, error) {
	a, err := pathAddress(r)
	if err != nil {
		return nil, err
	}
	n, given, err := queryEpoch(r)
	if err != nil {
		return nil, err
	}
	if !given {
		n = s.currentEpoch()
	}
	if _, err := s.onboarded(r, a); err != nil {
		return nil, err
	}
	e, err := s.epoch(r.Context(), n)
	if err != nil {
		return nil, err
	}
	out, err := s.reports(r.Context(), a, e)
	if err != nil {
		return nil, err
	}
	return ok(out, epochCache(out.Status))
}

// reports lists a hotspot's reports in an epoch with their verdicts.
func (s *server) reports(ctx context.Context, a identity.Address, e oracle.Epoch) (reportsJSON, error) {
	out := reportsJSON{Epoch: e.Number, Status: string(e.Status), Beacons: []beaconJSON{}, Witnesses: []witnessJSON{}}
	rs, err := s.store.ReportsOfHotspot(ctx, a, e.Number)
	if err != nil {
		return out, err
	}
	verdicts := map[[32]byte]oracle.Verdict{}
	if e.Status != oracle.EpochOpen {
		vs, err := s.store.VerdictsOfHotspot(ctx, a, e.Number)
		if err != nil {
			return out, err
		}
		for _, v := range vs {
			verdicts[v.ReportID] = v
		}
	}
	for _, rep := range rs {
		v, judged := verdicts[rep.ID]
		base := s.judgement(rep, e, v, judged)
		switch rep.Kind {
		case oracle.KindBeacon:
			b, err := beacon(rep, base)
			if err != nil {
				return out, err
			}
			out.Beacons = append(out.Beacons, b)
		case oracle.KindWitness:
			w, err := witness(rep, base, v, judged)
			if err != nil {
				return out, err
			}
			out.Witnesses = append(out.Witnesses, w)
		}
	}
	return out, nil
}

// judgement is a report's verdict in plain words.
func (s *server) judgement(rep oracle.Report, e oracle.Epoch, v oracle.Verdict, judged bool) reportJSON {
	j := reportJSON{ID: hex.EncodeToString(rep.ID[:]), ReceivedAt: rep.ReceivedAt}
	switch {
	case e.Status == oracle.EpochOpen:
		j.Reason = reasonPending
		j.Explanation = fmt.Sprintf("Epoch %d is still open; its reports are judged when it closes after %s.",
			e.Number, s.schedule.ClosesAt(e.Number).UTC().Format(time.RFC3339))
	case !judged:
		j.Reason = "not_judged"
		j.Explanation = fmt.Sprintf("Epoch %d closed without a verdict on this report.", e.Number)
	default:
		valid := v.Valid
		j.Valid, j.Reason, j.Explanation = &valid, v.Reason, explain(v.Reason, v.Detail)
	}
	return j
}

// beacon decodes a stored beacon report; identity.OpenBytes verifies its
// signature once more, so a corrupted row cannot pass for a report.
func beacon(rep oracle.Report, base reportJSON) (beaconJSON, error) {
	var b hexnetpb.BeaconReport
	if _, err := identity.OpenBytes(rep.Envelope, identity.KindBeacon, &b); err != nil {
		return beaconJSON{}, fmt.Errorf("stored beacon report %s: %w", base.ID, err)
	}
	return beaconJSON{reportJSON: base, Round: rep.Round, FrequencyHz: b.GetFrequencyHz(), DataRate: dataRate(b.GetDataRate()),
		PowerDBm: b.GetPowerDbm(), TxError: b.GetTxAckError(), TxAt: unixNs(b.GetTxUnixNs())}, nil
}

// witness decodes a stored witness report (signature verified again).
func witness(rep oracle.Report, base reportJSON, v oracle.Verdict, judged bool) (witnessJSON, error) {
	var w hexnetpb.WitnessReport
	if _, err := identity.OpenBytes(rep.Envelope, identity.KindWitness, &w); err != nil {
		return witnessJSON{}, fmt.Errorf("stored witness report %s: %w", base.ID, err)
	}
	j := witnessJSON{reportJSON: base, RSSI: w.GetRssi(), SNR: w.GetSnr(), FrequencyHz: w.GetFrequencyHz(),
		DataRate: dataRate(w.GetDataRate()), HeardAt: unixNs(w.GetReceivedUnixNs())}
	if judged {
		selected := v.Selected
		j.Selected = &selected
		if v.BeaconID != ([32]byte{}) {
			id := hex.EncodeToString(v.BeaconID[:])
			j.BeaconID = &id
		}
	}
	return j, nil
}

// dataRate names LoRa modulation as packet forwarders do ("SF9BW125").
func dataRate(d *hexnetpb.DataRate) string {
	if d == nil {
		return ""
	}
	return fmt.Sprintf("SF%dBW%d", d.GetSpreadingFactor(), d.GetBandwidthKhz())
}

func unixNs(ns int64) time.Time { return time.Unix(0, ns).UTC() }
