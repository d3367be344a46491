package oracle

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/hexnet/hexnet/beacon"
	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

// Limits on what a report may claim; beyond them it is rejected as absurd.
const (
	maxEnvelope   = 2048             // bytes; a beacon report with its challenge is ~400
	maxClockSkew  = 30 * time.Second // a report dated further in the future is refused
	minRSSI       = -160             // dBm
	maxRSSI       = 30               // dBm
	minSNR        = -40              // dB
	maxSNR        = 40               // dB
	minFrequency  = 100_000_000      // Hz
	maxFrequency  = 1_100_000_000    // Hz
	maxReportAge  = 24 * time.Hour   // a report dated earlier than this is refused
	flushInterval = 500 * time.Millisecond
)

// Reasons a report is refused at ingest; the label of
// hexnet_oracle_reports_rejected_total.
const (
	rejectBadTopic     = "bad_topic"
	rejectOversize     = "oversize"
	rejectSignature    = "bad_signature"
	rejectSigner       = "signer_mismatch"
	rejectChallenge    = "bad_challenge"
	rejectNotOurs      = "challenge_not_from_oracle"
	rejectChallengee   = "challengee_mismatch"
	rejectAbsurd       = "absurd_values"
	rejectFuture       = "dated_in_future"
	rejectStale        = "too_old"
	rejectPayloadShape = "payload_shape"
	rejectClosedEpoch  = "epoch_closed"
)

var errReport = errors.New("report refused")

// reject is a refusal with its counted reason.
type reject struct {
	reason string
	detail string
}

func (r *reject) Error() string { return r.reason + ": " + r.detail }
func (r *reject) Unwrap() error { return errReport }

func refuse(reason, format string, args ...any) error {
	return &reject{reason: reason, detail: fmt.Sprintf(format, args...)}
}

// Ingest verifies signed beacon and witness reports and stores them in
// batches. It is the MQTT handler for hexnet/hotspot/+/beacon and /witness.
type Ingest struct {
	store    Reports
	oracle   identity.Address
	schedule Schedule
	clock    clock.Clock
	log      *slog.Logger
	metrics  *ingestMetrics

	mu      sync.Mutex
	pending []Report
	closed  func(epoch uint64) bool
}

// IngestOptions configure an Ingest.
type IngestOptions struct {
	Store    Reports
	Oracle   identity.Address // challenges must be signed by this key
	Schedule Schedule
	Clock    clock.Clock
	Logger   *slog.Logger
	Metrics  *Metrics
	// Closed tells whether an epoch has closed; its reports are refused.
	Closed func(epoch uint64) bool
}

// NewIngest builds an Ingest.
func NewIngest(o IngestOptions) *Ingest {
	if o.Closed == nil {
		o.Closed = func(uint64) bool { return false }
	}
	return &Ingest{store: o.Store, oracle: o.Oracle, schedule: o.Schedule, clock: o.Clock,
		log: o.Logger, metrics: o.Metrics.ingest, closed: o.Closed}
}

// Handle takes one MQTT message. It never blocks on the store.
func (in *Ingest) Handle(topic string, payload []byte) {
	r, err := in.parse(topic, payload)
	if err != nil {
		in.refused(topic, err)
		return
	}
	in.mu.Lock()
	in.pending = append(in.pending, r)
	in.mu.Unlock()
}

func (in *Ingest) refused(topic string, err error) {
	reason := rejectBadTopic
	var rj *reject
	if errors.As(err, &rj) {
		reason = rj.reason
	}
	in.metrics.rejected.WithLabelValues(reason).Inc()
	in.log.Debug("report refused", "topic", topic, "reason", reason, "err", err)
}

// parse verifies and converts one report.
func (in *Ingest) parse(topic string, payload []byte) (Report, error) {
	addr, leaf, ok := reportTopic(topic)
	if !ok {
		return Report{}, refuse(rejectBadTopic, "%s", topic)
	}
	if len(payload) > maxEnvelope {
		return Report{}, refuse(rejectOversize, "%d bytes", len(payload))
	}
	now := in.clock.Now()
	var r Report
	var err error
	switch leaf {
	case "beacon":
		r, err = in.parseBeacon(addr, payload, now)
	case "witness":
		r, err = in.parseWitness(addr, payload, now)
	}
	if err != nil {
		return Report{}, err
	}
	if in.closed(r.Epoch) {
		return Report{}, refuse(rejectClosedEpoch, "epoch %d", r.Epoch)
	}
	return r, nil
}

// reportTopic splits hexnet/hotspot/{id}/{beacon|witness}.
func reportTopic(topic string) (identity.Address, string, bool) {
	parts := strings.Split(topic, "/")
	if len(parts) != 4 || parts[0] != "hexnet" || parts[1] != "hotspot" || (parts[3] != "beacon" && parts[3] != "witness") {
		return "", "", false
	}
	return identity.Address(parts[2]), parts[3], true
}

func (in *Ingest) report(kind ReportKind, addr identity.Address, raw, payload []byte, round uint64, now time.Time) Report {
	return Report{ID: ReportID(raw), Kind: kind, Hotspot: addr, Epoch: in.schedule.EpochOf(now),
		Round: round, Payload: payload, ReceivedAt: now, Envelope: raw}
}

func (in *Ingest) parseBeacon(addr identity.Address, raw []byte, now time.Time) (Report, error) {
	var b hexnetpb.BeaconReport
	if err := openAs(raw, identity.KindBeacon, &b, addr); err != nil {
		return Report{}, err
	}
	var ch hexnetpb.Challenge
	signer, err := identity.Open(b.GetChallenge(), identity.KindChallenge, &ch)
	switch {
	case err != nil:
		return Report{}, refuse(rejectChallenge, "%v", err)
	case signer != in.oracle:
		return Report{}, refuse(rejectNotOurs, "challenge signed by %s", signer)
	case identity.AddressOf(ch.GetChallengee()) != addr:
		return Report{}, refuse(rejectChallengee, "challenge was for %s", identity.AddressOf(ch.GetChallengee()))
	}
	if err := checkRadio(b.GetFrequencyHz(), 0, 0); err != nil {
		return Report{}, err
	}
	if err := checkTime(b.GetTxUnixNs(), now); err != nil {
		return Report{}, err
	}
	return in.report(KindBeacon, addr, raw, b.GetPayload(), ch.GetRound(), now), nil
}

func (in *Ingest) parseWitness(addr identity.Address, raw []byte, now time.Time) (Report, error) {
	var w hexnetpb.WitnessReport
	if err := openAs(raw, identity.KindWitness, &w, addr); err != nil {
		return Report{}, err
	}
	if len(w.GetPayload()) != beacon.PayloadSize {
		return Report{}, refuse(rejectPayloadShape, "payload of %d bytes, beacons carry %d", len(w.GetPayload()), beacon.PayloadSize)
	}
	if err := checkRadio(w.GetFrequencyHz(), w.GetRssi(), w.GetSnr()); err != nil {
		return Report{}, err
	}
	if err := checkTime(w.GetReceivedUnixNs(), now); err != nil {
		return Report{}, err
	}
	return in.report(KindWitness, addr, raw, w.GetPayload(), 0, now), nil
}

// ReportID names a report by what was signed (kind, signer and body), not
// by the envelope's bytes: a re-encoded envelope (say, with an unknown field
// appended) carries the same signed report and must count once. The
// envelope has been verified before this is called.
func ReportID(raw []byte) [32]byte {
	var env hexnetpb.Signed
	_ = proto.Unmarshal(raw, &env)
	h := sha256.New()
	h.Write([]byte("hexnet/report\x00" + env.GetKind() + "\x00"))
	h.Write(env.GetSigner())
	h.Write(env.GetBody())
	var id [32]byte
	copy(id[:], h.Sum(nil))
	return id
}

// openAs verifies an envelope of a kind and that its signer is the hotspot
// of the topic.
func openAs(raw []byte, kind identity.Kind, msg proto.Message, addr identity.Address) error {
	signer, err := identity.OpenBytes(raw, kind, msg)
	if err != nil {
		return refuse(rejectSignature, "%v", err)
	}
	if signer != addr {
		return refuse(rejectSigner, "signed by %s, published as %s", signer, addr)
	}
	return nil
}

// checkRadio refuses physically absurd values; rssi and snr 0 are not
// checked for beacons, which carry none.
func checkRadio(freq uint64, rssi, snr float32) error {
	switch {
	case freq < minFrequency || freq > maxFrequency:
		return refuse(rejectAbsurd, "frequency %d Hz", freq)
	case rssi < minRSSI || rssi > maxRSSI || rssi != rssi:
		return refuse(rejectAbsurd, "RSSI %.1f dBm", rssi)
	case snr < minSNR || snr > maxSNR || snr != snr:
		return refuse(rejectAbsurd, "SNR %.1f dB", snr)
	}
	return nil
}

// checkTime refuses reports dated in the future or long ago (hotspot clock).
func checkTime(unixNs int64, now time.Time) error {
	t := time.Unix(0, unixNs)
	switch {
	case t.After(now.Add(maxClockSkew)):
		return refuse(rejectFuture, "dated %s, now %s", t.UTC().Format(time.RFC3339Nano), now.UTC().Format(time.RFC3339Nano))
	case t.Before(now.Add(-maxReportAge)):
		return refuse(rejectStale, "dated %s", t.UTC().Format(time.RFC3339Nano))
	}
	return nil
}

// Flush stores the reports gathered since the last flush. On a store error
// the reports stay pending for the next flush.
func (in *Ingest) Flush(ctx context.Context) error {
	in.mu.Lock()
	batch := in.pending
	in.pending = nil
	in.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	n, err := in.store.AddReports(ctx, batch)
	if err != nil {
		in.mu.Lock()
		in.pending = append(batch, in.pending...)
		in.mu.Unlock()
		return fmt.Errorf("store %d reports: %w", len(batch), err)
	}
	in.metrics.stored.Add(float64(n))
	in.metrics.replayed.Add(float64(len(batch) - n))
	return nil
}

// Run flushes every half second until ctx ends, then once more.
func (in *Ingest) Run(ctx context.Context) error {
	clock.Every(ctx, flushInterval, func() {
		if err := in.Flush(ctx); err != nil {
			in.log.Warn("report flush failed; retrying", "err", err)
		}
	})
	return in.Flush(context.WithoutCancel(ctx))
}
