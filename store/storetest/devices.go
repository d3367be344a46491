package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store"
)

func mustCreate(t *testing.T, s router.Store, ds ...router.Device) {
	t.Helper()
	for _, d := range ds {
		if err := s.CreateDevice(t.Context(), d); err != nil {
			t.Fatalf("CreateDevice(%s): %v", d.DevEUI, err)
		}
	}
}

func testCreateGetDevice(t *testing.T, s router.Store) {
	for _, d := range []router.Device{device(1, "app"), device(2, "app")} {
		mustCreate(t, s, d)
		got, err := s.GetDevice(t.Context(), d.DevEUI)
		if err != nil {
			t.Fatalf("GetDevice(%s): %v", d.DevEUI, err)
		}
		want := d
		want.CreatedAt = stored(d.CreatedAt)
		if diff := diff(want, got); diff != "" {
			t.Errorf("GetDevice(%s) (-want +got):\n%s", d.DevEUI, diff)
		}
	}
}

func testDuplicateDevice(t *testing.T, s router.Store) {
	d := device(1, "app")
	mustCreate(t, s, d)
	d.Name = "other"
	if err := s.CreateDevice(t.Context(), d); !errors.Is(err, store.ErrConflict) {
		t.Errorf("second CreateDevice(%s) = %v, want store.ErrConflict", d.DevEUI, err)
	}
	got, err := s.GetDevice(t.Context(), d.DevEUI)
	if err != nil || got.Name != device(1, "app").Name {
		t.Errorf("after the conflict GetDevice = %q, %v; want the first device kept", got.Name, err)
	}
}

func testMissingDevice(t *testing.T, s router.Store) {
	mustCreate(t, s, device(1, "app"))
	if _, err := s.GetDevice(t.Context(), devEUI(2)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetDevice(missing) = %v, want store.ErrNotFound", err)
	}
	if err := s.DeleteDevice(t.Context(), devEUI(2)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteDevice(missing) = %v, want store.ErrNotFound", err)
	}
}

func testListDevices(t *testing.T, s router.Store) {
	a3, b2, a1, a2 := device(3, "a"), device(2, "b"), device(1, "a"), device(0, "a")
	mustCreate(t, s, a3, b2, a1, a2)
	tests := []struct {
		app  string
		want []router.Device
	}{
		{"a", []router.Device{a2, a1, a3}},
		{"b", []router.Device{b2}},
		{"", []router.Device{a2, a1, b2, a3}},
		{"none", nil},
	}
	for _, tt := range tests {
		got, err := s.ListDevices(t.Context(), tt.app)
		if err != nil {
			t.Fatalf("ListDevices(%q): %v", tt.app, err)
		}
		if diff := diff(storedDevices(tt.want), got); diff != "" {
			t.Errorf("ListDevices(%q) (-want +got):\n%s", tt.app, diff)
		}
	}
}

func storedDevices(ds []router.Device) []router.Device {
	out := make([]router.Device, len(ds))
	for i, d := range ds {
		d.CreatedAt = stored(d.CreatedAt)
		out[i] = d
	}
	return out
}

// testDeleteDevice also checks that the session and the used nonces go
// with the device: a device registered again starts clean.
func testDeleteDevice(t *testing.T, s router.Store) {
	d := device(1, "app")
	mustCreate(t, s, d, device(2, "app"))
	mustSave(t, s, session(1, addrA))
	mustUseNonce(t, s, d, 7)
	if err := s.DeleteDevice(t.Context(), d.DevEUI); err != nil {
		t.Fatalf("DeleteDevice: %v", err)
	}
	if _, err := s.GetDevice(t.Context(), d.DevEUI); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetDevice after delete = %v, want store.ErrNotFound", err)
	}
	if err := s.DeleteDevice(t.Context(), d.DevEUI); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second DeleteDevice = %v, want store.ErrNotFound", err)
	}
	if _, err := s.GetDevice(t.Context(), devEUI(2)); err != nil {
		t.Errorf("the other device went too: %v", err)
	}
	mustCreate(t, s, d)
	if _, err := s.GetSession(t.Context(), d.DevEUI); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetSession of a re-created device = %v, want store.ErrNotFound", err)
	}
	mustUseNonce(t, s, d, 7)
}

// testUpdateDevice: UpdateDevice replaces the name and root keys, keeps the
// fields fixed at creation, the session and the used nonces, and touches no
// other device.
func testUpdateDevice(t *testing.T, s router.Store) {
	d, other := device(2, "app"), device(4, "app")
	mustCreate(t, s, d, other)
	mustSave(t, s, session(2, addrA))
	mustUseNonce(t, s, d, 7)
	up := d
	up.Name, up.AppKey, up.NwkKey, up.Class = "renamed", aesKey(50), aesKey(51), "C"
	up.JoinEUI, up.Application, up.MACVersion, up.OTAA = devEUI(9), "elsewhere", "1.1.0", false
	up.CreatedAt = d.CreatedAt.Add(time.Hour)
	if err := s.UpdateDevice(t.Context(), up); err != nil {
		t.Fatalf("UpdateDevice: %v", err)
	}
	want := d
	want.Name, want.AppKey, want.NwkKey, want.Class = up.Name, up.AppKey, up.NwkKey, up.Class
	if got, err := s.GetDevice(t.Context(), d.DevEUI); err != nil {
		t.Fatalf("GetDevice: %v", err)
	} else if diff := diff(storedDevices([]router.Device{want})[0], got); diff != "" {
		t.Errorf("after UpdateDevice (-want +got):\n%s", diff)
	}
	if got, err := s.GetDevice(t.Context(), other.DevEUI); err != nil || got.Name != other.Name || got.AppKey != other.AppKey {
		t.Errorf("the other device changed: %+v, %v", got, err)
	}
	if _, err := s.GetSession(t.Context(), d.DevEUI); err != nil {
		t.Errorf("GetSession after UpdateDevice = %v, want the session kept", err)
	}
	if err := s.UseDevNonce(t.Context(), d.DevEUI, 7); !errors.Is(err, store.ErrConflict) {
		t.Errorf("reusing a DevNonce after UpdateDevice = %v, want store.ErrConflict", err)
	}
	if err := s.UpdateDevice(t.Context(), device(3, "app")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateDevice(missing) = %v, want store.ErrNotFound", err)
	}
}
