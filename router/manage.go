package router

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/brocaar/lorawan"
)

// ErrNoCredits is returned by Credits.SpendCredits when the organisation's
// balance does not cover the charge; the balance is left unchanged.
var ErrNoCredits = errors.New("data-credit balance exhausted")

// Organisation owns applications and routes and pays for their traffic in
// data credits (DC).
type Organisation struct {
	ID   string
	Name string
	// BalanceDC is the data credits left. Stores ignore it on create: the
	// balance only changes through Credits.
	BalanceDC int64
	CreatedAt time.Time
}

// Application groups devices under an organisation. Its ID appears in MQTT
// topics: hexnet/app/{ID}/device/{devEUI}/event/{type}.
//
// A device whose Application has no record (the devnet's, tests',
// benchmarks') is unmetered: its traffic is delivered without charge.
type Application struct {
	ID           string
	Organisation string
	Name         string
	CreatedAt    time.Time
	// WebhookURL, when set, receives every event of the application's
	// devices as an HTTP POST (router/integration); WebhookSecret, when
	// set, signs them (X-Hexnet-Signature: sha256=<hex HMAC-SHA256>).
	WebhookURL    string
	WebhookSecret string
	// Codec decodes up payloads into the event's object: CodecNone or
	// CodecCayenne.
	Codec string
}

// Application codecs.
const (
	CodecNone    = ""
	CodecCayenne = "cayenne" // Cayenne LPP
)

// Route destinations.
const (
	DestinationBuiltin = "builtin" // hexnet's own network server
	DestinationGWMP    = "gwmp"    // an external network server over GWMP UDP
)

// DevAddrRange is an inclusive range of DevAddrs.
type DevAddrRange struct {
	First, Last lorawan.DevAddr
}

// Contains reports whether a is in the range.
func (r DevAddrRange) Contains(a lorawan.DevAddr) bool {
	v := binary.BigEndian.Uint32(a[:])
	return binary.BigEndian.Uint32(r.First[:]) <= v && v <= binary.BigEndian.Uint32(r.Last[:])
}

// EUIPair selects join requests (and the devices that made them) by
// JoinEUI and DevEUI; a zero DevEUI matches every DevEUI of the JoinEUI.
type EUIPair struct {
	JoinEUI, DevEUI lorawan.EUI64
}

// Matches reports whether the pair selects the device.
func (p EUIPair) Matches(joinEUI, devEUI lorawan.EUI64) bool {
	return p.JoinEUI == joinEUI && (p.DevEUI == lorawan.EUI64{} || p.DevEUI == devEUI)
}

// Route says which traffic an organisation buys and where it goes: data
// frames by DevAddr range, joins by EUI pair.
type Route struct {
	ID            string
	Organisation  string
	NetID         lorawan.NetID
	DevAddrRanges []DevAddrRange
	EUIPairs      []EUIPair
	// MaxCopies is how many hotspot copies of each frame are bought (the
	// first to arrive); 0 buys every copy.
	MaxCopies   int
	Destination string // DestinationBuiltin or DestinationGWMP
	GWMPAddress string // host:port of the external network server, for DestinationGWMP
	CreatedAt   time.Time
}

// Matches reports whether the route selects a device with this session
// address and these EUIs.
func (rt Route) Matches(addr lorawan.DevAddr, joinEUI, devEUI lorawan.EUI64) bool {
	for _, r := range rt.DevAddrRanges {
		if r.Contains(addr) {
			return true
		}
	}
	for _, p := range rt.EUIPairs {
		if p.Matches(joinEUI, devEUI) {
			return true
		}
	}
	return false
}

// CreditEntry is one change of a balance: a positive amount funds it, a
// negative one is the charge for a frame.
type CreditEntry struct {
	Organisation string
	AmountDC     int64
	Frame        [16]byte // the charged frame's deduplicationId; zero for funding
	At           time.Time
}

// Organisations stores organisations. Missing rows give store.ErrNotFound,
// duplicates store.ErrConflict.
type Organisations interface {
	CreateOrganisation(ctx context.Context, o Organisation) error
	GetOrganisation(ctx context.Context, id string) (Organisation, error)
	// ListOrganisations lists every organisation sorted by ID.
	ListOrganisations(ctx context.Context) ([]Organisation, error)
	// DeleteOrganisation removes it with its credit entries;
	// store.ErrConflict while it has applications or routes.
	DeleteOrganisation(ctx context.Context, id string) error
}

// Applications stores applications.
type Applications interface {
	// CreateApplication: store.ErrNotFound if the organisation is missing.
	CreateApplication(ctx context.Context, a Application) error
	GetApplication(ctx context.Context, id string) (Application, error)
	// ListApplications lists an organisation's applications sorted by ID;
	// an empty organisation lists every application.
	ListApplications(ctx context.Context, organisation string) ([]Application, error)
	// DeleteApplication: store.ErrConflict while devices belong to it.
	DeleteApplication(ctx context.Context, id string) error
}

// Routes stores routes.
type Routes interface {
	// CreateRoute: store.ErrNotFound if the organisation is missing.
	CreateRoute(ctx context.Context, r Route) error
	GetRoute(ctx context.Context, id string) (Route, error)
	// ListRoutes lists an organisation's routes sorted by ID; an empty
	// organisation lists every route.
	ListRoutes(ctx context.Context, organisation string) ([]Route, error)
	DeleteRoute(ctx context.Context, id string) error
}

// Credits keeps organisations' data-credit balances and their history.
type Credits interface {
	// AddCredits adds dc > 0 to the balance and returns the new balance.
	AddCredits(ctx context.Context, organisation string, dc int64, at time.Time) (int64, error)
	// SpendCredits takes dc >= 0 for a frame and returns the new balance;
	// ErrNoCredits (balance unchanged) if the balance is smaller. A frame
	// already charged to the organisation is not charged again: the
	// current balance comes back.
	SpendCredits(ctx context.Context, organisation string, dc int64, frame [16]byte, at time.Time) (int64, error)
	// ListCreditEntries lists the newest limit entries, newest first.
	ListCreditEntries(ctx context.Context, organisation string, limit int) ([]CreditEntry, error)
}

// idPattern is what organisation, application and route IDs look like:
// safe in MQTT topics and URL paths.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// CheckID says what is wrong with an ID, or nil.
func CheckID(id string) error {
	if !idPattern.MatchString(id) {
		return fmt.Errorf("ID %q: want 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit", id)
	}
	return nil
}

// MACVersions are the LoRaWAN versions a device may declare.
var MACVersions = []string{"1.0.2", "1.0.3", "1.0.4", "1.1.0"}

// Check says what is wrong with a route, or nil.
func (rt Route) Check() error {
	if err := CheckID(rt.ID); err != nil {
		return fmt.Errorf("route %w", err)
	}
	if rt.MaxCopies < 0 {
		return fmt.Errorf("route %s: max copies %d is negative (0 buys every copy)", rt.ID, rt.MaxCopies)
	}
	if len(rt.DevAddrRanges) == 0 && len(rt.EUIPairs) == 0 {
		return fmt.Errorf("route %s selects nothing: give DevAddr ranges, EUI pairs or both", rt.ID)
	}
	for _, r := range rt.DevAddrRanges {
		if !r.Contains(r.First) || !r.Contains(r.Last) {
			return fmt.Errorf("route %s: DevAddr range %s-%s ends before it starts", rt.ID, r.First, r.Last)
		}
		// A DevAddr carries its network's NetID in its prefix: a range
		// outside the route's NetID would buy another network's devices.
		if !r.First.IsNetID(rt.NetID) || !r.Last.IsNetID(rt.NetID) {
			return fmt.Errorf("route %s: DevAddr range %s-%s is not NetID %s's (its DevAddrs start with that network's prefix)",
				rt.ID, r.First, r.Last, rt.NetID)
		}
	}
	switch {
	case rt.Destination == DestinationBuiltin && rt.GWMPAddress == "":
	case rt.Destination == DestinationGWMP && rt.GWMPAddress != "":
	default:
		return fmt.Errorf("route %s: destination %q with address %q: want %q, or %q with a host:port",
			rt.ID, rt.Destination, rt.GWMPAddress, DestinationBuiltin, DestinationGWMP)
	}
	return nil
}
