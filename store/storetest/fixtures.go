package storetest

import (
	"testing"
	"time"

	"github.com/brocaar/lorawan"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/router"
)

// base has nanoseconds on purpose: stores keep microseconds.
var base = time.Date(2026, 3, 14, 15, 9, 26, 535897932, time.UTC)

// stored is what a store gives back for t.
func stored(t time.Time) time.Time { return t.Truncate(time.Microsecond).UTC() }

// devEUI is a DevEUI that sorts by n.
func devEUI(n byte) lorawan.EUI64 { return lorawan.EUI64{0x70, 0xb3, 0xd5, 0x7e, 0xd0, 0, 0, n} }

// aesKey fills a key so that every byte differs and both 0x00 and 0xff occur.
func aesKey(seed byte) lorawan.AES128Key {
	var k lorawan.AES128Key
	for i := range k {
		k[i] = seed + byte(i)*17
	}
	k[0], k[15] = 0x00, 0xff
	return k
}

func device(n byte, app string) router.Device {
	return router.Device{
		DevEUI:      devEUI(n),
		JoinEUI:     lorawan.EUI64{0, 0, 0, 0, 0, 0, 0x10, n},
		Application: app,
		Name:        "sensor " + string('A'+rune(n%26)),
		MACVersion:  "1.0.3",
		OTAA:        n%2 == 0,
		AppKey:      aesKey(n),
		NwkKey:      aesKey(n + 100),
		CreatedAt:   base.Add(time.Duration(n) * time.Second),
		Class:       classOf(n),
	}
}

// classOf gives every third fixture device class C.
func classOf(n byte) string {
	if n%3 == 0 {
		return "C"
	}
	return ""
}

func session(n byte, addr lorawan.DevAddr) router.Session {
	return router.Session{
		DevEUI:      devEUI(n),
		DevAddr:     addr,
		FNwkSIntKey: aesKey(n + 1),
		SNwkSIntKey: aesKey(n + 2),
		NwkSEncKey:  aesKey(n + 3),
		AppSKey:     aesKey(n + 4),
		FCntUp:      uint32(n) * 1000,
		NFCntDown:   uint32(n) * 10,
		AFCntDown:   uint32(n),
		UpdatedAt:   base.Add(time.Duration(n) * time.Minute),
	}
}

// hotspot is a real address derived from n.
func hotspot(t testing.TB, n byte) identity.Address {
	t.Helper()
	seed := make([]byte, 32)
	seed[0] = n
	k, err := identity.FromSeed(seed)
	if err != nil {
		t.Fatal(err)
	}
	return k.Address()
}

// frame is a frame received at `at` with one copy per hotspot.
func frame(id uint16, size int, at time.Time, hotspots ...identity.Address) router.LedgerFrame {
	f := router.LedgerFrame{
		ID:         [16]byte{0xf0, byte(id >> 8), byte(id), 15: 0xff},
		DevEUI:     devEUI(byte(id)),
		DevAddr:    lorawan.DevAddr{0x26, 0x01, byte(id >> 8), byte(id)},
		FCnt:       uint32(id),
		Bytes:      size,
		ReceivedAt: at,
	}
	for i, h := range hotspots {
		f.Copies = append(f.Copies, router.LedgerCopy{
			Hotspot: h, RSSI: -110.5 + float32(i), SNR: 7.25 - float32(i), ReceivedAt: at.Add(time.Duration(i) * time.Millisecond),
		})
	}
	return f
}

// diff compares with nil and empty slices equal and times by instant.
func diff(want, got any) string {
	return cmp.Diff(want, got, cmpopts.EquateEmpty())
}
