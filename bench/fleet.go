package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/router"
)

// Frame shape: FPort 1, no FOpts, payloadSize bytes of application data, so
// every PHYPayload has the same length (MHDR 1 + FHDR 7 + FPort 1 + data +
// MIC 4) and the GWMP datagrams can share one template.
const (
	payloadSize = 12
	phySize     = 1 + 7 + 1 + payloadSize + 4
	application = "bench"
)

// device is one ABP device of the benchmark.
type device struct {
	devEUI  lorawan.EUI64
	devAddr lorawan.DevAddr
	nwkSKey lorawan.AES128Key
	appSKey lorawan.AES128Key
}

// fleet is the devices and every frame the load generator may send, built
// before any timing. Frame i is device i%len(devices) with FCnt
// i/len(devices): devices take turns and each one's counter increases.
type fleet struct {
	devices []device
	frames  [][]byte // PHYPayloads
	byEUI   map[string]int
	byAddr  map[lorawan.DevAddr]int
}

// buildFleet makes n devices (deterministic keys) and at least frames
// frames.
func buildFleet(n, frames int) (*fleet, error) {
	rng := rand.New(rand.NewChaCha8([32]byte{'h', 'e', 'x', 'n', 'e', 't'}))
	f := &fleet{byEUI: map[string]int{}, byAddr: map[lorawan.DevAddr]int{}}
	for i := range n {
		d := newDevice(rng, i)
		f.devices = append(f.devices, d)
		f.byEUI[d.devEUI.String()] = i
		f.byAddr[d.devAddr] = i
	}
	perDevice := (frames + n - 1) / n
	if perDevice > 1<<16 {
		return nil, fmt.Errorf("%d frames over %d devices wraps the 16-bit FCnt; add devices", frames, n)
	}
	f.frames = make([][]byte, 0, perDevice*n)
	for fcnt := range uint32(perDevice) {
		for i := range f.devices {
			phy, err := f.devices[i].frame(rng, fcnt)
			if err != nil {
				return nil, err
			}
			f.frames = append(f.frames, phy)
		}
	}
	return f, nil
}

func newDevice(rng *rand.Rand, i int) device {
	var d device
	binary.BigEndian.PutUint64(d.devEUI[:], 0x70b3d5bec0000000|uint64(i))
	d.devAddr = lorawan.DevAddr{0x26, 0x0b, byte(i >> 8), byte(i)}
	fill(rng, d.nwkSKey[:])
	fill(rng, d.appSKey[:])
	return d
}

func fill(rng *rand.Rand, b []byte) {
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
}

// frame builds an UnconfirmedDataUp: FRMPayload encrypted with AppSKey,
// MIC with NwkSKey (LoRaWAN 1.0).
func (d *device) frame(rng *rand.Rand, fcnt uint32) ([]byte, error) {
	port := uint8(1)
	data := make([]byte, payloadSize)
	fill(rng, data)
	phy := lorawan.PHYPayload{
		MHDR: lorawan.MHDR{MType: lorawan.UnconfirmedDataUp, Major: lorawan.LoRaWANR1},
		MACPayload: &lorawan.MACPayload{
			FHDR:       lorawan.FHDR{DevAddr: d.devAddr, FCnt: fcnt},
			FPort:      &port,
			FRMPayload: []lorawan.Payload{&lorawan.DataPayload{Bytes: data}},
		},
	}
	if err := phy.EncryptFRMPayload(d.appSKey); err != nil {
		return nil, fmt.Errorf("encrypt frame: %w", err)
	}
	if err := phy.SetUplinkDataMIC(lorawan.LoRaWAN1_0, 0, 0, 0, d.nwkSKey, d.nwkSKey); err != nil {
		return nil, fmt.Errorf("frame MIC: %w", err)
	}
	b, err := phy.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("encode frame: %w", err)
	}
	if len(b) != phySize {
		return nil, fmt.Errorf("frame is %d bytes, want %d", len(b), phySize)
	}
	return b, nil
}

// index returns the frame number of a device's frame counter.
func (f *fleet) index(dev int, fcnt uint32) int {
	return int(fcnt)*len(f.devices) + dev
}

// indexOfPHY finds a frame from its DevAddr and 16-bit FCnt.
func (f *fleet) indexOfPHY(phy []byte) (int, bool) {
	if len(phy) != phySize {
		return 0, false
	}
	var addr lorawan.DevAddr
	if err := addr.UnmarshalBinary(phy[1:5]); err != nil {
		return 0, false
	}
	dev, ok := f.byAddr[addr]
	if !ok {
		return 0, false
	}
	return f.index(dev, uint32(binary.LittleEndian.Uint16(phy[6:8]))), true
}

// provision registers every device with its ABP session.
func (f *fleet) provision(ctx context.Context, st router.Store) error {
	for i, d := range f.devices {
		err := st.CreateDevice(ctx, router.Device{
			DevEUI: d.devEUI, Application: application, Name: fmt.Sprintf("bench-%d", i), MACVersion: "1.0.3",
		})
		if err != nil {
			return fmt.Errorf("register device %s: %w", d.devEUI, err)
		}
		err = st.SaveSession(ctx, router.Session{
			DevEUI: d.devEUI, DevAddr: d.devAddr,
			FNwkSIntKey: d.nwkSKey, SNwkSIntKey: d.nwkSKey, NwkSEncKey: d.nwkSKey, AppSKey: d.appSKey,
		})
		if err != nil {
			return fmt.Errorf("session of device %s: %w", d.devEUI, err)
		}
	}
	return nil
}
