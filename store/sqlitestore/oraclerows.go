package sqlitestore

import (
	"database/sql"
	"encoding/json"
	"time"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
)

// onboardedQuery selects hotspots with their current location (the one of
// the highest nonce), or NULLs when none was asserted.
const onboardedQuery = `SELECT h.address, h.owner, h.onboarded_at, h.envelope, h.denied,
		l.nonce, l.cell, l.gain_dbi_x10, l.elevation_m, l.region, l.asserted_at, l.envelope
	FROM onboarded_hotspots h
	LEFT JOIN hotspot_locations l ON l.hotspot = h.address
		AND l.nonce = (SELECT max(nonce) FROM hotspot_locations WHERE hotspot = h.address)`

const (
	locationColumns = `hotspot, nonce, cell, gain_dbi_x10, elevation_m, region, asserted_at, envelope`
	reportColumns   = `id, kind, hotspot, epoch, round, payload, received_at, envelope`
	verdictColumns  = `report_id, epoch, kind, hotspot, beacon_id, valid, selected, reason, detail`
	roundColumns    = `number, commitment, secret, public_mix, entropy, committed_at, revealed_at`
	epochColumns    = `number, start_at, end_at, status, root, closed_at`
	rewardTxColumns = `epoch, idx, attempt, signature, raw, last_valid_block_height, entries, status, err, updated_at`
)

// onboardedRow is a row of onboarded_hotspots joined with its current
// location; the location columns are NULL when none was asserted.
type onboardedRow struct {
	Address, Owner   string
	OnboardedAt      int64
	Envelope         []byte
	Denied           bool
	Nonce, Cell      sql.NullInt64
	Gain, Elevation  sql.NullInt32
	Region           sql.NullString
	AssertedAt       sql.NullInt64
	LocationEnvelope []byte
}

func scanOnboarded(sc scanner) (oracle.HotspotInfo, error) {
	var r onboardedRow
	err := sc.Scan(&r.Address, &r.Owner, &r.OnboardedAt, &r.Envelope, &r.Denied,
		&r.Nonce, &r.Cell, &r.Gain, &r.Elevation, &r.Region, &r.AssertedAt, &r.LocationEnvelope)
	return r.hotspot(), err
}

func (r onboardedRow) hotspot() oracle.HotspotInfo {
	h := oracle.HotspotInfo{
		Address:     identity.Address(r.Address),
		Owner:       identity.Address(r.Owner),
		OnboardedAt: fromMicros(r.OnboardedAt),
		Envelope:    orNil(r.Envelope),
		Denied:      r.Denied,
	}
	if r.Nonce.Valid {
		l := locationRow{r.Address, r.Nonce.Int64, r.Cell.Int64, r.Gain.Int32, r.Elevation.Int32,
			r.Region.String, r.AssertedAt.Int64, r.LocationEnvelope}.location()
		h.Location = &l
	}
	return h
}

// locationRow is a row of hotspot_locations.
type locationRow struct {
	Hotspot                string
	Nonce, Cell            int64
	GainDBiX10, ElevationM int32
	Region                 string
	AssertedAt             int64
	Envelope               []byte
}

func scanLocation(sc scanner) (oracle.Location, error) {
	var r locationRow
	err := sc.Scan(&r.Hotspot, &r.Nonce, &r.Cell, &r.GainDBiX10, &r.ElevationM, &r.Region, &r.AssertedAt, &r.Envelope)
	return r.location(), err
}

func (r locationRow) location() oracle.Location {
	return oracle.Location{
		Hotspot:    identity.Address(r.Hotspot),
		Cell:       uint64(r.Cell), // the bit pattern written by int64(cell)
		GainDBiX10: r.GainDBiX10,
		ElevationM: r.ElevationM,
		Region:     r.Region,
		Nonce:      uint64(r.Nonce),
		AssertedAt: fromMicros(r.AssertedAt),
		Envelope:   orNil(r.Envelope),
	}
}

// reportRow is a row of reports.
type reportRow struct {
	ID                []byte
	Kind, Hotspot     string
	Epoch, Round      int64
	Payload, Envelope []byte
	ReceivedAt        int64
}

func scanReport(sc scanner) (oracle.Report, error) {
	var r reportRow
	err := sc.Scan(&r.ID, &r.Kind, &r.Hotspot, &r.Epoch, &r.Round, &r.Payload, &r.ReceivedAt, &r.Envelope)
	rep := oracle.Report{
		Kind:       oracle.ReportKind(r.Kind),
		Hotspot:    identity.Address(r.Hotspot),
		Epoch:      uint64(r.Epoch),
		Round:      uint64(r.Round),
		Payload:    orNil(r.Payload),
		ReceivedAt: fromMicros(r.ReceivedAt),
		Envelope:   orNil(r.Envelope),
	}
	copy(rep.ID[:], r.ID)
	return rep, err
}

// verdictRow is a row of verdicts.
type verdictRow struct {
	ReportID, BeaconID []byte
	Epoch              int64
	Kind, Hotspot      string
	Valid, Selected    bool
	Reason, Detail     string
}

func scanVerdict(sc scanner) (oracle.Verdict, error) {
	var r verdictRow
	err := sc.Scan(&r.ReportID, &r.Epoch, &r.Kind, &r.Hotspot, &r.BeaconID, &r.Valid, &r.Selected, &r.Reason, &r.Detail)
	v := oracle.Verdict{
		Epoch:    uint64(r.Epoch),
		Kind:     oracle.ReportKind(r.Kind),
		Hotspot:  identity.Address(r.Hotspot),
		Valid:    r.Valid,
		Selected: r.Selected,
		Reason:   r.Reason,
		Detail:   r.Detail,
	}
	copy(v.ReportID[:], r.ReportID)
	copy(v.BeaconID[:], r.BeaconID)
	return v, err
}

// roundRow is a row of rounds; RevealedAt is NULL until revealed.
type roundRow struct {
	Number                                 int64
	Commitment, Secret, PublicMix, Entropy []byte
	CommittedAt                            int64
	RevealedAt                             sql.NullInt64
}

func scanRound(sc scanner) (oracle.Round, error) {
	var r roundRow
	err := sc.Scan(&r.Number, &r.Commitment, &r.Secret, &r.PublicMix, &r.Entropy, &r.CommittedAt, &r.RevealedAt)
	return oracle.Round{
		Number:      uint64(r.Number),
		Commitment:  orNil(r.Commitment),
		Secret:      orNil(r.Secret),
		PublicMix:   orNil(r.PublicMix),
		Entropy:     orNil(r.Entropy),
		CommittedAt: fromMicros(r.CommittedAt),
		RevealedAt:  fromNullMicros(r.RevealedAt),
	}, err
}

func scanChallenge(sc scanner) (oracle.Challenge, error) {
	var round, issuedAt int64
	var challengee string
	var envelope []byte
	err := sc.Scan(&round, &challengee, &issuedAt, &envelope)
	return oracle.Challenge{
		Round:      uint64(round),
		Challengee: identity.Address(challengee),
		IssuedAt:   fromMicros(issuedAt),
		Envelope:   orNil(envelope),
	}, err
}

// epochRow is a row of epochs; ClosedAt is NULL while open.
type epochRow struct {
	Number, StartAt, EndAt int64
	Status                 string
	Root                   []byte
	ClosedAt               sql.NullInt64
}

func scanEpoch(sc scanner) (oracle.Epoch, error) {
	var r epochRow
	err := sc.Scan(&r.Number, &r.StartAt, &r.EndAt, &r.Status, &r.Root, &r.ClosedAt)
	return oracle.Epoch{
		Number:   uint64(r.Number),
		Start:    fromMicros(r.StartAt),
		End:      fromMicros(r.EndAt),
		Status:   oracle.EpochStatus(r.Status),
		Root:     orNil(r.Root),
		ClosedAt: fromNullMicros(r.ClosedAt),
	}, err
}

// manifestRow is a row of manifest_entries, without its epoch.
type manifestRow struct {
	Hotspot, Owner               string
	Beacon, Witness, Data, Total int64
}

func scanManifest(sc scanner) (oracle.ManifestEntry, error) {
	var r manifestRow
	err := sc.Scan(&r.Hotspot, &r.Owner, &r.Beacon, &r.Witness, &r.Data, &r.Total)
	return oracle.ManifestEntry{
		Hotspot: identity.Address(r.Hotspot),
		Owner:   identity.Address(r.Owner),
		Beacon:  uint64(r.Beacon),
		Witness: uint64(r.Witness),
		Data:    uint64(r.Data),
		Total:   uint64(r.Total),
	}, err
}

// rewardTxRow is a row of reward_txs; Entries is a JSON array.
type rewardTxRow struct {
	Epoch                int64
	Idx, Attempt         int
	Signature            string
	Raw                  []byte
	LastValidBlockHeight int64
	Entries              string
	Status, Err          string
	UpdatedAt            int64
}

func scanRewardTx(sc scanner) (oracle.RewardTx, error) {
	var r rewardTxRow
	err := sc.Scan(&r.Epoch, &r.Idx, &r.Attempt, &r.Signature, &r.Raw, &r.LastValidBlockHeight,
		&r.Entries, &r.Status, &r.Err, &r.UpdatedAt)
	if err != nil {
		return oracle.RewardTx{}, err
	}
	return r.tx()
}

func (r rewardTxRow) tx() (oracle.RewardTx, error) {
	tx := oracle.RewardTx{
		Epoch:                uint64(r.Epoch),
		Index:                r.Idx,
		Attempt:              r.Attempt,
		Signature:            r.Signature,
		Raw:                  orNil(r.Raw),
		LastValidBlockHeight: uint64(r.LastValidBlockHeight),
		Status:               oracle.TxStatus(r.Status),
		Err:                  r.Err,
		UpdatedAt:            fromMicros(r.UpdatedAt),
	}
	if err := json.Unmarshal([]byte(r.Entries), &tx.Entries); err != nil {
		return oracle.RewardTx{}, err
	}
	if len(tx.Entries) == 0 {
		tx.Entries = nil
	}
	return tx, nil
}

// blob gives what is written as a BLOB: never nil, which would be NULL.
func blob(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// orNil is how byte slices are read: empty ones come back nil.
func orNil(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// nullMicros writes the zero time as NULL.
func nullMicros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return micros(t)
}

// fromNullMicros reads NULL as the zero time.
func fromNullMicros(us sql.NullInt64) time.Time {
	if !us.Valid {
		return time.Time{}
	}
	return fromMicros(us.Int64)
}
