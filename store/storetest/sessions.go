package storetest

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store"
)

var (
	addrA = lorawan.DevAddr{0x26, 0x01, 0x1a, 0x01}
	addrB = lorawan.DevAddr{0x26, 0x01, 0x1b, 0x02}
)

func mustSave(t *testing.T, s router.Store, ss ...router.Session) {
	t.Helper()
	for _, sess := range ss {
		if err := s.SaveSession(t.Context(), sess); err != nil {
			t.Fatalf("SaveSession(%s): %v", sess.DevEUI, err)
		}
	}
}

func mustUseNonce(t *testing.T, s router.Store, d router.Device, n lorawan.DevNonce) {
	t.Helper()
	if err := s.UseDevNonce(t.Context(), d.DevEUI, n); err != nil {
		t.Fatalf("UseDevNonce(%s, %d): %v", d.DevEUI, n, err)
	}
}

func storedSession(sess router.Session) router.Session {
	sess.UpdatedAt = stored(sess.UpdatedAt)
	return sess
}

func checkSession(t *testing.T, s router.Store, want router.Session) {
	t.Helper()
	got, err := s.GetSession(t.Context(), want.DevEUI)
	if err != nil {
		t.Fatalf("GetSession(%s): %v", want.DevEUI, err)
	}
	if diff := diff(storedSession(want), got); diff != "" {
		t.Errorf("GetSession(%s) (-want +got):\n%s", want.DevEUI, diff)
	}
}

func testSaveGetSession(t *testing.T, s router.Store) {
	mustCreate(t, s, device(1, "app"), device(2, "app"))
	max := session(2, addrB)
	max.FCntUp, max.NFCntDown, max.AFCntDown = math.MaxUint32, math.MaxUint32-1, 1<<31
	for _, sess := range []router.Session{session(1, addrA), max} {
		mustSave(t, s, sess)
		checkSession(t, s, sess)
	}
}

func testReplaceSession(t *testing.T, s router.Store) {
	mustCreate(t, s, device(1, "app"))
	mustSave(t, s, session(1, addrA))
	next := session(1, addrB)
	next.AppSKey = aesKey(200)
	next.FCntUp, next.UpdatedAt = 5, base.Add(time.Hour)
	mustSave(t, s, next)
	checkSession(t, s, next)
	got, err := s.SessionsByDevAddr(t.Context(), addrA)
	if err != nil || len(got) != 0 {
		t.Errorf("SessionsByDevAddr(old DevAddr) = %v, %v; want none", got, err)
	}
}

func testMissingSession(t *testing.T, s router.Store) {
	mustCreate(t, s, device(1, "app"))
	if _, err := s.GetSession(t.Context(), devEUI(1)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetSession(device without session) = %v, want store.ErrNotFound", err)
	}
	if _, err := s.GetSession(t.Context(), devEUI(9)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetSession(unknown device) = %v, want store.ErrNotFound", err)
	}
	if err := s.SaveSession(t.Context(), session(9, addrA)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SaveSession(unknown device) = %v, want store.ErrNotFound", err)
	}
}

func testSessionsByDevAddr(t *testing.T, s router.Store) {
	mustCreate(t, s, device(1, "app"), device(2, "app"), device(3, "app"))
	s3, s1, s2 := session(3, addrA), session(1, addrA), session(2, addrB)
	mustSave(t, s, s3, s1, s2)
	tests := []struct {
		addr lorawan.DevAddr
		want []router.Session
	}{
		{addrA, []router.Session{storedSession(s1), storedSession(s3)}},
		{addrB, []router.Session{storedSession(s2)}},
		{lorawan.DevAddr{1, 2, 3, 4}, nil},
	}
	for _, tt := range tests {
		got, err := s.SessionsByDevAddr(t.Context(), tt.addr)
		if err != nil {
			t.Fatalf("SessionsByDevAddr(%s): %v", tt.addr, err)
		}
		if diff := diff(tt.want, got); diff != "" {
			t.Errorf("SessionsByDevAddr(%s) (-want +got):\n%s", tt.addr, diff)
		}
	}
}

func testUseDevNonce(t *testing.T, s router.Store) {
	d1, d2 := device(1, "app"), device(2, "app")
	mustCreate(t, s, d1, d2)
	tests := []struct {
		name  string
		dev   lorawan.EUI64
		nonce lorawan.DevNonce
		want  error
	}{
		{"first use", d1.DevEUI, 0x1234, nil},
		{"replay", d1.DevEUI, 0x1234, store.ErrConflict},
		{"other device, same nonce", d2.DevEUI, 0x1234, nil},
		{"same device, next nonce", d1.DevEUI, 0x1235, nil},
		{"zero", d1.DevEUI, 0, nil},
		{"max", d1.DevEUI, math.MaxUint16, nil},
		{"max replay", d1.DevEUI, math.MaxUint16, store.ErrConflict},
		{"unknown device", devEUI(9), 1, store.ErrNotFound},
	}
	for _, tt := range tests {
		err := s.UseDevNonce(t.Context(), tt.dev, tt.nonce)
		if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
			t.Errorf("%s: UseDevNonce(%s, %d) = %v, want %v", tt.name, tt.dev, tt.nonce, err, tt.want)
		}
	}
}
