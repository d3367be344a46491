package router

import (
	"context"
	"time"

	"github.com/brocaar/lorawan"
	"github.com/google/uuid"

	"github.com/hexnet/hexnet/identity"
)

// Device is a registered end device.
type Device struct {
	DevEUI      lorawan.EUI64
	JoinEUI     lorawan.EUI64 // AppEUI in LoRaWAN 1.0
	Application string        // application id; events go to hexnet/app/{Application}/...
	Name        string
	MACVersion  string            // "1.0.2", "1.0.3", "1.0.4", "1.1.0"
	OTAA        bool              // joins over the air; false for ABP
	AppKey      lorawan.AES128Key // OTAA root key (1.0.x: the only one)
	NwkKey      lorawan.AES128Key // LoRaWAN 1.1 network root key; zero for 1.0.x
	CreatedAt   time.Time
	// Class is the device class: "" or "A", or "C" (downlinks are sent at
	// once, in RX2's parameters, through the hotspot that heard it last).
	Class string
}

// Session is a device's active security context: provisioned for ABP,
// derived at join for OTAA. LoRaWAN 1.0.x uses one network key for MIC and
// MAC-command encryption (NwkSKey); 1.1 splits it in three.
type Session struct {
	DevEUI      lorawan.EUI64
	DevAddr     lorawan.DevAddr
	FNwkSIntKey lorawan.AES128Key // 1.0.x: NwkSKey
	SNwkSIntKey lorawan.AES128Key // 1.0.x: NwkSKey
	NwkSEncKey  lorawan.AES128Key // 1.0.x: NwkSKey
	AppSKey     lorawan.AES128Key
	FCntUp      uint32 // next expected uplink frame counter (full 32 bits)
	NFCntDown   uint32 // next network downlink frame counter
	AFCntDown   uint32 // next application downlink frame counter (1.1; 1.0.x uses NFCntDown)
	UpdatedAt   time.Time
}

// LedgerFrame is one deduplicated uplink frame and every hotspot copy of it:
// the input to data-transfer rewards.
type LedgerFrame struct {
	ID         [16]byte // the deduplicationId
	DevEUI     lorawan.EUI64
	DevAddr    lorawan.DevAddr
	FCnt       uint32
	Bytes      int // PHYPayload length
	ReceivedAt time.Time
	Copies     []LedgerCopy
}

// LedgerCopy is one hotspot's copy of a frame.
type LedgerCopy struct {
	Hotspot    identity.Address
	RSSI       float32
	SNR        float32
	ReceivedAt time.Time
}

// Traffic sums one hotspot's copies over a time range.
type Traffic struct {
	Hotspot identity.Address
	Copies  int64
	Bytes   int64
	// DataCredits is what the copies cost: ceil(max(bytes, 24) / 24) DC per
	// copy, as Helium charges, summed over the copies.
	DataCredits int64
}

// Hotspot is what the router knows of a hotspot it has heard from.
type Hotspot struct {
	Address   identity.Address
	FirstSeen time.Time
	LastSeen  time.Time
}

// Devices stores the device registry. Missing rows give store.ErrNotFound,
// duplicates store.ErrConflict.
type Devices interface {
	CreateDevice(ctx context.Context, d Device) error
	GetDevice(ctx context.Context, devEUI lorawan.EUI64) (Device, error)
	// ListDevices lists an application's devices sorted by DevEUI; an empty
	// application lists every device.
	ListDevices(ctx context.Context, application string) ([]Device, error)
	// DeleteDevice removes the device with its session and used DevNonces;
	// its ledger frames stay.
	DeleteDevice(ctx context.Context, devEUI lorawan.EUI64) error
	// UpdateDevice replaces the mutable fields of the device d.DevEUI
	// names: Name, Class, AppKey and NwkKey. Its other fields are fixed at
	// creation and ignored here; its session and used DevNonces stay.
	// store.ErrNotFound if there is no such device.
	UpdateDevice(ctx context.Context, d Device) error
}

// Sessions stores device sessions and used join nonces.
type Sessions interface {
	// SaveSession inserts or replaces the device's session;
	// store.ErrNotFound if the device is not registered.
	SaveSession(ctx context.Context, s Session) error
	GetSession(ctx context.Context, devEUI lorawan.EUI64) (Session, error)
	// SessionsByDevAddr lists the sessions using a DevAddr (several devices
	// may share one), sorted by DevEUI; none is not an error.
	SessionsByDevAddr(ctx context.Context, devAddr lorawan.DevAddr) ([]Session, error)
	// UseDevNonce records a join request's DevNonce; store.ErrConflict if the
	// device already used it, store.ErrNotFound if it is not registered.
	UseDevNonce(ctx context.Context, devEUI lorawan.EUI64, nonce lorawan.DevNonce) error
	// JoinHistory counts the DevNonces the device has used and returns the
	// highest; a device that never joined, or is not registered, has the zero
	// JoinHistory.
	JoinHistory(ctx context.Context, devEUI lorawan.EUI64) (JoinHistory, error)
}

// Ledger records delivered uplinks per frame and per hotspot copy.
type Ledger interface {
	// RecordFrames appends frames and their copies atomically; a frame whose
	// ID is already recorded (or repeated in frames) is skipped with its
	// copies (idempotent replays), and a hotspot's repeated copy of one frame
	// is kept once.
	RecordFrames(ctx context.Context, frames []LedgerFrame) error
	// TrafficBetween sums copies per hotspot for frames received in
	// [from, to), sorted by hotspot address; Bytes adds the frame's Bytes
	// once per copy.
	TrafficBetween(ctx context.Context, from, to time.Time) ([]Traffic, error)
}

// Hotspots records hotspots seen by the router.
type Hotspots interface {
	// TouchHotspots records that these hotspots were heard at the given
	// time: FirstSeen becomes the earliest time given, LastSeen the latest.
	TouchHotspots(ctx context.Context, at time.Time, addrs ...identity.Address) error
	// ListHotspots lists the hotspots sorted by address.
	ListHotspots(ctx context.Context) ([]Hotspot, error)
}

// QueueItem is an application downlink in a device's queue, as the store
// keeps it.
type QueueItem struct {
	ID     uuid.UUID // the queueItemId of its ack, txack and error events
	DevEUI lorawan.EUI64
	Downlink
	CreatedAt time.Time
	// Attempts counts the transmissions a hotspot reported; FCnt and SentAt
	// are those of the latest and are zero before the first.
	Attempts int
	FCnt     uint32
	SentAt   time.Time
}

// DownlinkQueue stores every device's application downlinks, oldest first,
// so that they outlive a router restart and move with the device's uplink
// shard to another instance of a cluster. An unknown device has an empty
// queue; deleting a device deletes its queue.
type DownlinkQueue interface {
	// EnqueueDownlink appends an item (Attempts, FCnt and SentAt ignored) to
	// its device's queue: ErrQueueFull when the queue holds
	// MaxQueuedDownlinks, store.ErrNotFound if the device is not registered,
	// store.ErrConflict if the ID is queued already.
	EnqueueDownlink(ctx context.Context, q QueueItem) error
	// ListDownlinks lists the limit oldest items of a device's queue, oldest
	// first; limit <= 0 lists all of them.
	ListDownlinks(ctx context.Context, devEUI lorawan.EUI64, limit int) ([]QueueItem, error)
	// RecordDownlinkTx records a transmission of an item: one more attempt,
	// sent at `at` with frame counter fcnt. store.ErrNotFound if the item
	// is no longer queued.
	RecordDownlinkTx(ctx context.Context, id uuid.UUID, fcnt uint32, at time.Time) error
	// DeleteDownlink takes an item out of its queue (delivered, acknowledged
	// or given up); store.ErrNotFound if it is not queued.
	DeleteDownlink(ctx context.Context, id uuid.UUID) error
	// FlushDownlinks empties a device's queue and returns how many items it
	// held.
	FlushDownlinks(ctx context.Context, devEUI lorawan.EUI64) (int, error)
}

// Store is everything the router keeps. Times round-trip at microsecond
// precision (truncated) and come back in UTC; store/storetest is the
// conformance suite every implementation passes.
type Store interface {
	Devices
	Sessions
	Ledger
	Hotspots
	Organisations
	Applications
	Routes
	Credits
	DownlinkQueue
	APIKeys
}

// APIKey is an organisation's key to the management API. The store keeps
// only the SHA-256 of its secret; the secret is shown once, at creation.
type APIKey struct {
	ID           string
	Organisation string
	SecretHash   [32]byte
	CreatedAt    time.Time
}

// APIKeys stores organisations' management API keys; deleting an
// organisation deletes its keys.
type APIKeys interface {
	// CreateAPIKey: store.ErrNotFound if the organisation is missing,
	// store.ErrConflict if the ID exists.
	CreateAPIKey(ctx context.Context, k APIKey) error
	// GetAPIKey returns a key by ID; store.ErrNotFound if there is none.
	GetAPIKey(ctx context.Context, id string) (APIKey, error)
	// ListAPIKeys lists an organisation's keys sorted by ID.
	ListAPIKeys(ctx context.Context, organisation string) ([]APIKey, error)
	// DeleteAPIKey revokes the organisation's key; store.ErrNotFound if the
	// organisation has no key of that ID.
	DeleteAPIKey(ctx context.Context, organisation, id string) error
}
