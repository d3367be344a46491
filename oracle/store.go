// Package oracle is hexnet's proof-of-coverage oracle: the hotspot registry,
// the challenger, report ingest, verifier runs, epochs, reward manifests and
// their payment on Solana. This file holds its domain records and the storage
// interfaces that store/pgstore and store/sqlitestore implement.
package oracle

import (
	"context"
	"time"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle/manifest"
	"github.com/hexnet/hexnet/router"
)

// HotspotInfo is a registered (onboarded) hotspot.
type HotspotInfo struct {
	Address     identity.Address
	Owner       identity.Address
	OnboardedAt time.Time
	Envelope    []byte    // the marshalled OnboardRequest: both signatures, verbatim
	Location    *Location // the current location; nil until one is asserted
	Denied      bool      // on the denylist: its reports are judged invalid
}

// Location is one location assertion; a hotspot's history keeps them all.
type Location struct {
	Hotspot    identity.Address
	Cell       uint64 // H3 index at resolution 12
	GainDBiX10 int32
	ElevationM int32
	Region     string
	Nonce      uint64
	AssertedAt time.Time
	Envelope   []byte // the owner's signed AssertLocation, verbatim
}

// ReportKind tells beacon and witness reports apart.
type ReportKind string

// The report kinds.
const (
	KindBeacon  ReportKind = "beacon"
	KindWitness ReportKind = "witness"
)

// Report is one signed report as the oracle received it. The envelope is
// kept verbatim so that anyone can re-verify and re-judge an epoch.
type Report struct {
	ID         [32]byte // sha256 of kind, signer and body: a replayed or re-encoded report has the same ID
	Kind       ReportKind
	Hotspot    identity.Address // the signer
	Epoch      uint64           // the epoch ReceivedAt falls in
	Round      uint64           // beacons: the challenge's round; witnesses: 0
	Payload    []byte           // the beacon payload, to match witnesses to beacons
	ReceivedAt time.Time        // oracle ingest time: lateness and arrival order
	Envelope   []byte
}

// Verdict is the verifier's judgement of one report, kept so that owners
// can see exactly why a report counted or not.
type Verdict struct {
	ReportID [32]byte
	Epoch    uint64
	Kind     ReportKind
	Hotspot  identity.Address
	BeaconID [32]byte // witnesses: the beacon judged against; zero if none matched
	Valid    bool
	Selected bool   // witnesses: among those rewarded for this beacon
	Reason   string // poc reason code
	Detail   string // the numbers behind the reason, in plain words
}

// Round is one challenge round: the entropy committed before it and
// revealed when it opens.
type Round struct {
	Number      uint64
	Commitment  []byte // sha256(Secret)
	Secret      []byte // may be stored at commit (so a restart can reveal); published only at reveal
	PublicMix   []byte
	Entropy     []byte // empty until revealed
	CommittedAt time.Time
	RevealedAt  time.Time
}

// Challenge is one signed challenge the oracle sent.
type Challenge struct {
	Round      uint64
	Challengee identity.Address
	IssuedAt   time.Time
	Envelope   []byte // the oracle's signed Challenge, verbatim
}

// EpochStatus is where an epoch is in its life.
type EpochStatus string

// Epoch statuses; an epoch only moves forward.
const (
	EpochOpen   EpochStatus = "open"
	EpochClosed EpochStatus = "closed" // manifest and root fixed, never changed again
	EpochPaid   EpochStatus = "paid"   // every reward transaction confirmed
)

// Epoch is one reward period [Start, End).
type Epoch struct {
	Number   uint64
	Start    time.Time
	End      time.Time
	Status   EpochStatus
	Root     []byte // Merkle root of the manifest, once closed
	ClosedAt time.Time
}

// ManifestEntry is one hotspot's reward in an epoch, in the mint's base
// units (defined with the manifest builder, which must not import oracle).
type ManifestEntry = manifest.Entry

// HotspotReward is a hotspot's manifest entry in one closed epoch.
type HotspotReward struct {
	Epoch  uint64
	Status EpochStatus // closed or paid
	Entry  ManifestEntry
}

// TxStatus is where a reward transaction is in its life.
type TxStatus string

// Reward transaction statuses.
const (
	TxSigned    TxStatus = "signed"    // recorded before it is sent
	TxSent      TxStatus = "sent"      // handed to the RPC node
	TxConfirmed TxStatus = "confirmed" // landed without error
	TxFailed    TxStatus = "failed"    // landed with an error
	TxExpired   TxStatus = "expired"   // lastValidBlockHeight passed with no status: may be re-signed
)

// RewardTx is one reward transaction of an epoch.
type RewardTx struct {
	Epoch                uint64
	Index                int // position in the epoch's batch of transactions
	Attempt              int // re-signings after expiry
	Signature            string
	Raw                  []byte // the signed wire transaction
	LastValidBlockHeight uint64
	Entries              []identity.Address // the hotspots this transaction pays
	Status               TxStatus
	Err                  string
	UpdatedAt            time.Time
}

// Registry stores onboarded hotspots and their location history. Missing
// rows give store.ErrNotFound, duplicates store.ErrConflict.
type Registry interface {
	// Onboard registers a hotspot with its Denied flag; store.ErrConflict if
	// it is registered. h.Location is not stored: locations come only
	// through AssertLocation.
	Onboard(ctx context.Context, h HotspotInfo) error
	// AssertLocation appends to the history and makes it current;
	// store.ErrNotFound unless onboarded, store.ErrConflict unless its nonce
	// is above the last one (any nonce is above none).
	AssertLocation(ctx context.Context, l Location) error
	// GetHotspot returns the hotspot with its current location (the one of
	// the highest nonce).
	GetHotspot(ctx context.Context, addr identity.Address) (HotspotInfo, error)
	// ListOnboarded lists every onboarded hotspot with its current location,
	// sorted by address. (Not ListHotspots: router.Hotspots has that name
	// with another result, and one store type implements both interfaces.)
	ListOnboarded(ctx context.Context) ([]HotspotInfo, error)
	// LocationHistory lists the hotspot's locations by ascending nonce.
	LocationHistory(ctx context.Context, addr identity.Address) ([]Location, error)
	// SetDenied puts the hotspot on the denylist or takes it off;
	// store.ErrNotFound unless onboarded.
	SetDenied(ctx context.Context, addr identity.Address, denied bool) error
}

// Reports stores signed reports and their verdicts.
type Reports interface {
	// AddReports stores reports atomically, skipping IDs already stored or
	// repeated in reports (the first wins); it returns how many were new.
	AddReports(ctx context.Context, reports []Report) (int, error)
	// ReportsOfEpoch lists an epoch's reports ordered by (ReceivedAt, ID).
	ReportsOfEpoch(ctx context.Context, epoch uint64) ([]Report, error)
	// EachReportOfEpoch calls fn with each of the epoch's reports in
	// ReportsOfEpoch's order without holding them all in memory (an epoch
	// may hold millions). It stops at fn's first error and returns it. fn
	// runs while rows are being read: it must not use the store.
	EachReportOfEpoch(ctx context.Context, epoch uint64, fn func(Report) error) error
	// ReportsOfHotspot lists a hotspot's reports in an epoch, same order.
	ReportsOfHotspot(ctx context.Context, addr identity.Address, epoch uint64) ([]Report, error)
	// VerdictsOfEpoch lists the verdicts stored when the epoch closed,
	// sorted by report ID.
	VerdictsOfEpoch(ctx context.Context, epoch uint64) ([]Verdict, error)
	// VerdictsOfHotspot lists a hotspot's verdicts in an epoch, sorted by
	// report ID.
	VerdictsOfHotspot(ctx context.Context, addr identity.Address, epoch uint64) ([]Verdict, error)
}

// Rounds stores challenge rounds and the challenges sent in them.
type Rounds interface {
	// SaveRound inserts a committed round or records its reveal (Secret,
	// PublicMix, Entropy, RevealedAt); store.ErrConflict if the round exists
	// with another Commitment or CommittedAt, or was revealed with another
	// Secret. A zero RevealedAt means not revealed.
	SaveRound(ctx context.Context, r Round) error
	GetRound(ctx context.Context, n uint64) (Round, error)
	// LatestRound is the highest-numbered round; store.ErrNotFound if none.
	LatestRound(ctx context.Context) (Round, error)
	// SaveChallenges stores challenges atomically; store.ErrNotFound if a
	// round is not saved, store.ErrConflict if a hotspot was already
	// challenged in that round.
	SaveChallenges(ctx context.Context, cs []Challenge) error
	// ChallengesOfRound lists a round's challenges sorted by challengee.
	ChallengesOfRound(ctx context.Context, n uint64) ([]Challenge, error)
}

// Epochs stores epochs, their manifests and verdicts.
type Epochs interface {
	// OpenEpoch records a new open epoch (its Number, Start and End; Status,
	// Root and ClosedAt are ignored); store.ErrConflict if it exists.
	OpenEpoch(ctx context.Context, e Epoch) error
	GetEpoch(ctx context.Context, n uint64) (Epoch, error)
	// ListEpochs lists every epoch by number.
	ListEpochs(ctx context.Context) ([]Epoch, error)
	// CloseEpoch fixes the epoch's Root and ClosedAt, its manifest and its
	// verdicts in one transaction; store.ErrNotFound if the epoch is not
	// stored, store.ErrConflict unless it is open (or if a verdict's report
	// was judged in another epoch). Every verdict must carry e.Number, and
	// report IDs and manifest hotspots must not repeat; otherwise nothing
	// is written and the error is not a sentinel.
	CloseEpoch(ctx context.Context, e Epoch, manifest []ManifestEntry, verdicts []Verdict) error
	// Manifest lists the epoch's manifest sorted by hotspot address.
	Manifest(ctx context.Context, n uint64) ([]ManifestEntry, error)
	// HotspotRewards lists addr's manifest entries in the latest limit
	// closed (or paid) epochs, newest first; an epoch without an entry for
	// addr is skipped. It reads one entry per epoch, not whole manifests.
	HotspotRewards(ctx context.Context, addr identity.Address, limit int) ([]HotspotReward, error)
	// MarkPaid moves a closed epoch to paid; store.ErrNotFound if the epoch
	// is not stored, store.ErrConflict unless it is closed.
	MarkPaid(ctx context.Context, n uint64) error
}

// RewardTxs records reward transactions before and after they are sent.
type RewardTxs interface {
	// SaveRewardTx inserts or updates the transaction at (Epoch, Index);
	// store.ErrNotFound if the epoch is not stored, store.ErrConflict if it
	// is still open (its manifest is not fixed yet).
	SaveRewardTx(ctx context.Context, tx RewardTx) error
	// RewardTxsOfEpoch lists the epoch's transactions by Index.
	RewardTxsOfEpoch(ctx context.Context, epoch uint64) ([]RewardTx, error)
}

// Traffic reads the router's uplink ledger for data-transfer rewards.
type Traffic interface {
	TrafficBetween(ctx context.Context, from, to time.Time) ([]router.Traffic, error)
}

// Store is everything the oracle keeps; store/storetest.RunOracle is the
// conformance suite every implementation passes.
//
// What every implementation does the same way:
//   - Times round-trip at microsecond precision (truncated) and come back
//     in UTC; a zero RevealedAt or ClosedAt stays zero.
//   - Byte slices and Entries come back nil when empty, never as empty
//     non-nil slices.
//   - Cell round-trips all 64 bits. Every other uint64 (epoch and round
//     numbers, nonces, amounts, block heights) must be at most
//     math.MaxInt64: SQL integers are signed 64-bit, and a larger value is
//     an error (not a sentinel) with nothing written.
//   - A list of what is not stored is empty, not store.ErrNotFound.
type Store interface {
	Registry
	Reports
	Rounds
	Epochs
	RewardTxs
	Traffic
}
