package sim

import (
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/geo"
)

// EU868 frequencies in Hz.
const (
	RX2FrequencyHz = 869_525_000 // EU868 RX2 default
	rx2DefaultSF   = 12          // DR0
)

// JoinChannels are the three EU868 channels every device may join on.
func JoinChannels() []uint64 { return []uint64{868_100_000, 868_300_000, 868_500_000} }

// DefaultChannels is the usual EU868 eight-channel plan: the three join
// channels and 867.1–867.9 MHz.
func DefaultChannels() []uint64 {
	return append(JoinChannels(), 867_100_000, 867_300_000, 867_500_000, 867_700_000, 867_900_000)
}

// DeviceTXPowerDBm is every simulated device's transmit power (EIRP
// before antenna gain).
const DeviceTXPowerDBm = 14

// Device is a simulated end device's provisioned profile. ABP devices
// carry DevAddr and session keys; OTAA devices carry AppKey (and NwkKey in
// LoRaWAN 1.1) and learn the rest by joining.
type Device struct {
	Index           int
	Name            string
	DevEUI          lorawan.EUI64
	JoinEUI         lorawan.EUI64
	OTAA            bool
	AppKey          lorawan.AES128Key // OTAA root key
	DevAddr         lorawan.DevAddr   // ABP
	NwkSKey         lorawan.AES128Key // ABP
	AppSKey         lorawan.AES128Key // ABP
	Lat, Lng        float64
	AltitudeM       float64
	AntennaGainDBi  float64
	SpreadingFactor int
	TXPowerDBm      float64
	Channels        []uint64 // uplink channels (ABP; OTAA after joining, with a CFList)
	FPort           uint8    // 1..223
	DevNonceStart   uint16   // first DevNonce an OTAA device sends (1.0.4, 1.1: 0; 1.0.2 draws each one)
	MACVersion      string   // one of router.MACVersions
	// LoRaWAN 1.1: NwkKey is an OTAA device's network root key; an ABP
	// device's NwkSKey is its FNwkSIntKey and SNwkSIntKey and NwkSEncKey
	// the other two network session keys.
	NwkKey      lorawan.AES128Key
	SNwkSIntKey lorawan.AES128Key
	NwkSEncKey  lorawan.AES128Key
}

// networkKeys are an ABP device's SNwkSIntKey and NwkSEncKey: NwkSKey for
// LoRaWAN 1.0.x.
func (d Device) networkKeys() (sNwkSIntKey, nwkSEncKey lorawan.AES128Key) {
	if profileOf(d.MACVersion).v1_1 {
		return d.SNwkSIntKey, d.NwkSEncKey
	}
	return d.NwkSKey, d.NwkSKey
}

// Point is the device's position.
func (d Device) Point() geo.Point { return geo.Point{Lat: d.Lat, Lng: d.Lng} }

// session is a device's live security context. A 1.0 session has
// NwkSKey in all three network key fields.
type session struct {
	joined    bool
	devAddr   lorawan.DevAddr
	nwkSKey   lorawan.AES128Key // 1.1: FNwkSIntKey
	appSKey   lorawan.AES128Key
	fCntUp    uint32
	nFCntDown uint32 // next expected network downlink counter (1.0: every downlink)
	// LoRaWAN 1.1 (v1_1 false: a 1.0 session, as a 1.1 device falls back
	// to when the join accept's OptNeg is clear)
	v1_1        bool
	sNwkSIntKey lorawan.AES128Key
	nwkSEncKey  lorawan.AES128Key
	aFCntDown   uint32 // next expected application downlink counter (FPort > 0)
}

// window is one class A receive window.
type window struct {
	at          time.Time // expected start of the downlink
	frequencyHz uint64
	sf          int
}

// node is a device with its state. mu guards everything below it.
type node struct {
	Device
	links []candidate // hotspots that could ever hear it, by index

	mu           sync.Mutex
	content      *rand.Rand // payload, channel and fading draws
	timing       *rand.Rand // schedule draws
	sess         session
	channels     []uint64
	devNonce     uint16 // next DevNonce
	lastNonce    lorawan.DevNonce
	joinAttempts int
	rx           []window // open receive windows, RX1 then RX2
	rxJoin       bool     // the open windows follow a join request
	rx1Delay     time.Duration
	rx1DROffset  int
	rx2SF        int
	ackPending   bool
	uplinks      uint32 // payload counter
	temperatureC float64
	gen          uint64 // schedule generation; stale events are dropped
	mac          macState
	version      profile
	chPlan       []uint64          // the channels as indexed (1.1 MIC TxCh); masks leave it
	nonces       *rand.Rand        // 1.0.2: random DevNonces
	joinNonce    lorawan.JoinNonce // 1.0.4, 1.1: of the last join accept taken
	joins        int               // join accepts taken
	ackFCnt      uint32            // FCnt of the confirmed downlink ackPending acknowledges
}

// candidate is a hotspot within reach of a device, with the link's fixed
// terms.
type candidate struct {
	hotspot   int
	distanceM float64
	shadowDB  float64
}

func newNode(d Device, seed int64, links []candidate) *node {
	n := &node{
		Device:   d,
		links:    links,
		content:  stream(seed, purposeContent, uint64(d.Index)),
		timing:   stream(seed, purposeTiming, uint64(d.Index)),
		devNonce: d.DevNonceStart,
		rx1Delay: time.Second,
		rx2SF:    rx2DefaultSF,
		version:  profileOf(d.MACVersion),
		nonces:   nonceStream(d, seed),
	}
	n.temperatureC = 12 + 14*n.content.Float64()
	n.channels = JoinChannels()
	if !d.OTAA {
		sNwkSIntKey, nwkSEncKey := d.networkKeys()
		n.sess = session{joined: true, devAddr: d.DevAddr, nwkSKey: d.NwkSKey, appSKey: d.AppSKey,
			v1_1: n.version.v1_1, sNwkSIntKey: sNwkSIntKey, nwkSEncKey: nwkSEncKey}
		n.channels = append([]uint64(nil), d.Channels...)
		if n.version.v1_1 {
			n.mac.ind = lorawan.ResetInd
		}
	}
	n.chPlan = slices.Clone(n.channels)
	return n
}
