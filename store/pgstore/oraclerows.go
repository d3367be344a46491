package pgstore

import (
	"time"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
)

// onboardedRow is a row of onboarded_hotspots joined with its current
// location; the location columns are NULL when none was asserted.
type onboardedRow struct {
	Address          string     `db:"address"`
	Owner            string     `db:"owner"`
	OnboardedAt      time.Time  `db:"onboarded_at"`
	Envelope         []byte     `db:"envelope"`
	Denied           bool       `db:"denied"`
	Nonce            *int64     `db:"nonce"`
	Cell             *int64     `db:"cell"`
	GainDBiX10       *int32     `db:"gain_dbi_x10"`
	ElevationM       *int32     `db:"elevation_m"`
	Region           *string    `db:"region"`
	AssertedAt       *time.Time `db:"asserted_at"`
	LocationEnvelope []byte     `db:"location_envelope"`
}

func (r onboardedRow) hotspot() oracle.HotspotInfo {
	h := oracle.HotspotInfo{
		Address:     identity.Address(r.Address),
		Owner:       identity.Address(r.Owner),
		OnboardedAt: r.OnboardedAt.UTC(),
		Envelope:    orNil(r.Envelope),
		Denied:      r.Denied,
	}
	if r.Nonce != nil {
		l := locationRow{r.Address, *r.Nonce, *r.Cell, *r.GainDBiX10, *r.ElevationM, *r.Region, *r.AssertedAt, r.LocationEnvelope}.location()
		h.Location = &l
	}
	return h
}

// locationRow is a row of hotspot_locations.
type locationRow struct {
	Hotspot    string    `db:"hotspot"`
	Nonce      int64     `db:"nonce"`
	Cell       int64     `db:"cell"`
	GainDBiX10 int32     `db:"gain_dbi_x10"`
	ElevationM int32     `db:"elevation_m"`
	Region     string    `db:"region"`
	AssertedAt time.Time `db:"asserted_at"`
	Envelope   []byte    `db:"envelope"`
}

func (r locationRow) location() oracle.Location {
	return oracle.Location{
		Hotspot:    identity.Address(r.Hotspot),
		Cell:       uint64(r.Cell), // the bit pattern written by int64(cell)
		GainDBiX10: r.GainDBiX10,
		ElevationM: r.ElevationM,
		Region:     r.Region,
		Nonce:      uint64(r.Nonce),
		AssertedAt: r.AssertedAt.UTC(),
		Envelope:   orNil(r.Envelope),
	}
}

// reportRow is a row of reports.
type reportRow struct {
	ID         []byte
	Kind       string
	Hotspot    string
	Epoch      int64
	Round      int64
	Payload    []byte
	ReceivedAt time.Time
	Envelope   []byte
}

func (r *reportRow) report() oracle.Report {
	rep := oracle.Report{
		Kind:       oracle.ReportKind(r.Kind),
		Hotspot:    identity.Address(r.Hotspot),
		Epoch:      uint64(r.Epoch),
		Round:      uint64(r.Round),
		Payload:    orNil(r.Payload),
		ReceivedAt: r.ReceivedAt.UTC(),
		Envelope:   orNil(r.Envelope),
	}
	copy(rep.ID[:], r.ID)
	return rep
}

// verdictRow is a row of verdicts.
type verdictRow struct {
	ReportID []byte `db:"report_id"`
	Epoch    int64  `db:"epoch"`
	Kind     string `db:"kind"`
	Hotspot  string `db:"hotspot"`
	BeaconID []byte `db:"beacon_id"`
	Valid    bool   `db:"valid"`
	Selected bool   `db:"selected"`
	Reason   string `db:"reason"`
	Detail   string `db:"detail"`
}

func (r verdictRow) verdict() oracle.Verdict {
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
	return v
}

// roundRow is a row of rounds; RevealedAt is NULL until revealed.
type roundRow struct {
	Number      int64      `db:"number"`
	Commitment  []byte     `db:"commitment"`
	Secret      []byte     `db:"secret"`
	PublicMix   []byte     `db:"public_mix"`
	Entropy     []byte     `db:"entropy"`
	CommittedAt time.Time  `db:"committed_at"`
	RevealedAt  *time.Time `db:"revealed_at"`
}

func (r roundRow) round() oracle.Round {
	return oracle.Round{
		Number:      uint64(r.Number),
		Commitment:  orNil(r.Commitment),
		Secret:      orNil(r.Secret),
		PublicMix:   orNil(r.PublicMix),
		Entropy:     orNil(r.Entropy),
		CommittedAt: r.CommittedAt.UTC(),
		RevealedAt:  fromNullTS(r.RevealedAt),
	}
}

// challengeRow is a row of challenges.
type challengeRow struct {
	Round      int64     `db:"round"`
	Challengee string    `db:"challengee"`
	IssuedAt   time.Time `db:"issued_at"`
	Envelope   []byte    `db:"envelope"`
}

func (r challengeRow) challenge() oracle.Challenge {
	return oracle.Challenge{
		Round:      uint64(r.Round),
		Challengee: identity.Address(r.Challengee),
		IssuedAt:   r.IssuedAt.UTC(),
		Envelope:   orNil(r.Envelope),
	}
}

// epochRow is a row of epochs; ClosedAt is NULL while open.
type epochRow struct {
	Number   int64      `db:"number"`
	StartAt  time.Time  `db:"start_at"`
	EndAt    time.Time  `db:"end_at"`
	Status   string     `db:"status"`
	Root     []byte     `db:"root"`
	ClosedAt *time.Time `db:"closed_at"`
}

func (r epochRow) epoch() oracle.Epoch {
	return oracle.Epoch{
		Number:   uint64(r.Number),
		Start:    r.StartAt.UTC(),
		End:      r.EndAt.UTC(),
		Status:   oracle.EpochStatus(r.Status),
		Root:     orNil(r.Root),
		ClosedAt: fromNullTS(r.ClosedAt),
	}
}

// manifestRow is a row of manifest_entries, without its epoch.
type manifestRow struct {
	Hotspot string `db:"hotspot"`
	Owner   string `db:"owner"`
	Beacon  int64  `db:"beacon"`
	Witness int64  `db:"witness"`
	Data    int64  `db:"data"`
	Total   int64  `db:"total"`
}

func (r manifestRow) entry() oracle.ManifestEntry {
	return oracle.ManifestEntry{
		Hotspot: identity.Address(r.Hotspot),
		Owner:   identity.Address(r.Owner),
		Beacon:  uint64(r.Beacon),
		Witness: uint64(r.Witness),
		Data:    uint64(r.Data),
		Total:   uint64(r.Total),
	}
}

// rewardTxRow is a row of reward_txs.
type rewardTxRow struct {
	Epoch                int64     `db:"epoch"`
	Idx                  int32     `db:"idx"`
	Attempt              int32     `db:"attempt"`
	Signature            string    `db:"signature"`
	Raw                  []byte    `db:"raw"`
	LastValidBlockHeight int64     `db:"last_valid_block_height"`
	Entries              []string  `db:"entries"`
	Status               string    `db:"status"`
	Err                  string    `db:"err"`
	UpdatedAt            time.Time `db:"updated_at"`
}

func (r rewardTxRow) tx() oracle.RewardTx {
	tx := oracle.RewardTx{
		Epoch:                uint64(r.Epoch),
		Index:                int(r.Idx),
		Attempt:              int(r.Attempt),
		Signature:            r.Signature,
		Raw:                  orNil(r.Raw),
		LastValidBlockHeight: uint64(r.LastValidBlockHeight),
		Status:               oracle.TxStatus(r.Status),
		Err:                  r.Err,
		UpdatedAt:            r.UpdatedAt.UTC(),
	}
	for _, e := range r.Entries {
		tx.Entries = append(tx.Entries, identity.Address(e))
	}
	return tx
}

// blob gives what pgx writes as a bytea: never nil, which would be NULL.
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

// nullTS writes the zero time as NULL.
func nullTS(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	v := ts(t)
	return &v
}

// fromNullTS reads NULL as the zero time.
func fromNullTS(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}
