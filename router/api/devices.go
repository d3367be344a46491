package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store"
)

// deviceIn is a device registration: OTAA with root keys, or ABP with a
// session ("abp").
type deviceIn struct {
	DevEUI      string `json:"dev_eui"`
	JoinEUI     string `json:"join_eui"`
	Application string `json:"application"`
	Name        string `json:"name"`
	MACVersion  string `json:"mac_version"`
	AppKey      string `json:"app_key"`
	NwkKey      string `json:"nwk_key"` // LoRaWAN 1.1 only
	Class       string `json:"class"`   // "A" (default) or "C"
	ABP         *abpIn `json:"abp"`
}

// abpIn is an ABP session: nwk_s_key for LoRaWAN 1.0.x; the three network
// keys for 1.1.
type abpIn struct {
	DevAddr     string `json:"dev_addr"`
	NwkSKey     string `json:"nwk_s_key"`
	FNwkSIntKey string `json:"f_nwk_s_int_key"`
	SNwkSIntKey string `json:"s_nwk_s_int_key"`
	NwkSEncKey  string `json:"nwk_s_enc_key"`
	AppSKey     string `json:"app_s_key"`
	FCntUp      uint32 `json:"fcnt_up"`
}

// deviceJSON is a device in responses; keys are never sent back.
type deviceJSON struct {
	DevEUI      string    `json:"dev_eui"`
	JoinEUI     string    `json:"join_eui"`
	Application string    `json:"application"`
	Name        string    `json:"name"`
	MACVersion  string    `json:"mac_version"`
	OTAA        bool      `json:"otaa"`
	Class       string    `json:"class"` // "A" or "C"
	CreatedAt   time.Time `json:"created_at"`
}

func deviceOut(d router.Device) deviceJSON {
	class := d.Class
	if class == "" {
		class = "A"
	}
	return deviceJSON{DevEUI: d.DevEUI.String(), JoinEUI: d.JoinEUI.String(), Application: d.Application,
		Name: d.Name, MACVersion: d.MACVersion, OTAA: d.OTAA, Class: class, CreatedAt: d.CreatedAt}
}

// parseClass reads a device class: "A" (also "") or "C".
func parseClass(s string) (string, error) {
	switch s {
	case "", "A":
		return "", nil
	case "C":
		return "C", nil
	}
	return "", badRequest("field \"class\": %q: want \"A\" or \"C\"", s)
}

func (s *server) createDevice(r *http.Request) (*response, error) {
	var in deviceIn
	if err := decodeBody(r, &in); err != nil {
		return nil, err
	}
	d, sess, err := in.parse(s.clock.Now().UTC())
	if err != nil {
		return nil, err
	}
	if _, err := s.store.GetApplication(r.Context(), d.Application); errors.Is(err, store.ErrNotFound) {
		return nil, errorf(http.StatusNotFound, "application %s does not exist; create it first (POST /api/v1/applications)", d.Application)
	} else if err != nil {
		return nil, err
	}
	if err := s.register(r.Context(), d, sess); err != nil {
		return nil, err
	}
	return created(deviceOut(d))
}

// register creates the device and, for ABP, its session; a session that
// cannot be saved takes the device away again.
func (s *server) register(ctx context.Context, d router.Device, sess *router.Session) error {
	if err := s.store.CreateDevice(ctx, d); err != nil {
		return err
	}
	if sess == nil {
		return nil
	}
	if err := s.store.SaveSession(ctx, *sess); err != nil {
		return errors.Join(err, s.store.DeleteDevice(ctx, d.DevEUI))
	}
	return nil
}

// parse checks a registration and builds the device and, for ABP, its
// session.
func (in deviceIn) parse(now time.Time) (router.Device, *router.Session, error) {
	d := router.Device{Application: in.Application, Name: in.Name, MACVersion: in.MACVersion, OTAA: in.ABP == nil, CreatedAt: now}
	if err := checkID("application", in.Application); err != nil {
		return d, nil, err
	}
	var err error
	if d.Class, err = parseClass(in.Class); err != nil {
		return d, nil, err
	}
	if !slices.Contains(router.MACVersions, in.MACVersion) {
		return d, nil, badRequest("field \"mac_version\": %q: want one of %s", in.MACVersion, strings.Join(router.MACVersions, ", "))
	}
	if err := hexField("dev_eui", in.DevEUI, &d.DevEUI, 8); err != nil {
		return d, nil, err
	}
	if in.ABP != nil {
		return in.parseABP(d)
	}
	return in.parseOTAA(d)
}

func (in deviceIn) parseOTAA(d router.Device) (router.Device, *router.Session, error) {
	if err := hexField("join_eui", in.JoinEUI, &d.JoinEUI, 8); err != nil {
		return d, nil, err
	}
	if err := hexField("app_key", in.AppKey, &d.AppKey, 16); err != nil {
		return d, nil, err
	}
	if in.MACVersion != "1.1.0" {
		if in.NwkKey != "" {
			return d, nil, errOneRootKey(in.MACVersion)
		}
		return d, nil, nil
	}
	return d, nil, hexField("nwk_key", in.NwkKey, &d.NwkKey, 16)
}

// errOneRootKey refuses a nwk_key for a LoRaWAN 1.0.x device.
func errOneRootKey(macVersion string) error {
	return badRequest("field \"nwk_key\": LoRaWAN %s has one root key (app_key); nwk_key is for 1.1.0", macVersion)
}

// errABPRootKeys refuses root keys for an ABP device.
func errABPRootKeys() error {
	return badRequest("an ABP device has session keys (\"abp\"), not root keys (app_key, nwk_key)")
}

func (in deviceIn) parseABP(d router.Device) (router.Device, *router.Session, error) {
	if in.AppKey != "" || in.NwkKey != "" {
		return d, nil, errABPRootKeys()
	}
	if err := optionalHex("join_eui", in.JoinEUI, &d.JoinEUI, 8); err != nil {
		return d, nil, err
	}
	a := in.ABP
	s := router.Session{DevEUI: d.DevEUI, FCntUp: a.FCntUp, UpdatedAt: d.CreatedAt}
	if err := hexField("abp.dev_addr", a.DevAddr, &s.DevAddr, 4); err != nil {
		return d, nil, err
	}
	if err := hexField("abp.app_s_key", a.AppSKey, &s.AppSKey, 16); err != nil {
		return d, nil, err
	}
	if in.MACVersion != "1.1.0" {
		err := hexField("abp.nwk_s_key", a.NwkSKey, &s.FNwkSIntKey, 16)
		s.SNwkSIntKey, s.NwkSEncKey = s.FNwkSIntKey, s.FNwkSIntKey
		return d, &s, err
	}
	for _, k := range []struct {
		field, value string
		dst          *lorawan.AES128Key
	}{
		{"abp.f_nwk_s_int_key", a.FNwkSIntKey, &s.FNwkSIntKey},
		{"abp.s_nwk_s_int_key", a.SNwkSIntKey, &s.SNwkSIntKey},
		{"abp.nwk_s_enc_key", a.NwkSEncKey, &s.NwkSEncKey},
	} {
		if err := hexField(k.field, k.value, k.dst, 16); err != nil {
			return d, nil, err
		}
	}
	return d, &s, nil
}

func (s *server) listDevices(r *http.Request) (*response, error) {
	app, err := queryID(r, "application")
	if err != nil {
		return nil, err
	}
	ds, err := s.store.ListDevices(r.Context(), app)
	if err != nil {
		return nil, err
	}
	out := make([]deviceJSON, len(ds))
	for i, d := range ds {
		out[i] = deviceOut(d)
	}
	return ok(out)
}

func pathDevEUI(r *http.Request) (lorawan.EUI64, error) {
	var eui lorawan.EUI64
	return eui, hexField("devEUI (path)", r.PathValue("devEUI"), &eui, 8)
}

func (s *server) getDevice(r *http.Request) (*response, error) {
	eui, err := pathDevEUI(r)
	if err != nil {
		return nil, err
	}
	d, err := s.store.GetDevice(r.Context(), eui)
	if err != nil {
		return nil, err
	}
	return ok(deviceOut(d))
}

func (s *server) deleteDevice(r *http.Request) (*response, error) {
	eui, err := pathDevEUI(r)
	if err != nil {
		return nil, err
	}
	if err := s.store.DeleteDevice(r.Context(), eui); err != nil {
		return nil, err
	}
	return noContent()
}

// deviceUpdate is the body of PUT /api/v1/devices/{devEUI}: the fields of a
// registration (deviceIn), each optional. name, app_key and nwk_key replace
// the stored values when present; absent ones are left as they are. The
// fields fixed at registration (dev_eui, join_eui, application,
// mac_version) may be sent only with the device's current values, and abp
// not at all: OTAA or ABP, and an ABP session, stay as registered.
type deviceUpdate struct {
	DevEUI      *string `json:"dev_eui"`
	JoinEUI     *string `json:"join_eui"`
	Application *string `json:"application"`
	MACVersion  *string `json:"mac_version"`
	Name        *string `json:"name"`
	Class       *string `json:"class"`
	AppKey      *string `json:"app_key"`
	NwkKey      *string `json:"nwk_key"`
	ABP         *abpIn  `json:"abp"`
}

// updateDevice changes a device's name or, for OTAA, its root keys; its
// session and used DevNonces stay. Routers serve devices from a cache for
// up to router.DefaultCacheTTL (a minute): a router whose cache is this
// API's store sees the change at once, any other within the TTL.
// Meanwhile its events carry the old name and a join made with a new key
// is dropped there (join_mic), to be repeated by the device.
func (s *server) updateDevice(r *http.Request) (*response, error) {
	eui, err := pathDevEUI(r)
	if err != nil {
		return nil, err
	}
	var in deviceUpdate
	if err := decodeBody(r, &in); err != nil {
		return nil, err
	}
	d, err := s.store.GetDevice(r.Context(), eui)
	if err != nil {
		return nil, err
	}
	if err := in.apply(&d); err != nil {
		return nil, err
	}
	if err := s.store.UpdateDevice(r.Context(), d); err != nil {
		return nil, err
	}
	return ok(deviceOut(d))
}

// apply checks the update against the device and changes d.
func (in deviceUpdate) apply(d *router.Device) error {
	if err := in.checkFixed(*d); err != nil {
		return err
	}
	if in.Name != nil {
		d.Name = *in.Name
	}
	if in.Class != nil {
		c, err := parseClass(*in.Class)
		if err != nil {
			return err
		}
		d.Class = c
	}
	return in.applyKeys(d)
}

// checkFixed refuses a change of what is fixed at registration.
func (in deviceUpdate) checkFixed(d router.Device) error {
	if in.ABP != nil {
		kind := "an OTAA device cannot become an ABP one"
		if !d.OTAA {
			kind = "an ABP device's session cannot be changed"
		}
		return badRequest("field \"abp\": %s; delete the device and register it again", kind)
	}
	if err := sameEUI("dev_eui", in.DevEUI, d.DevEUI); err != nil {
		return err
	}
	if err := sameEUI("join_eui", in.JoinEUI, d.JoinEUI); err != nil {
		return err
	}
	if err := sameString("application", in.Application, d.Application); err != nil {
		return err
	}
	return sameString("mac_version", in.MACVersion, d.MACVersion)
}

// applyKeys sets an OTAA device's root keys.
func (in deviceUpdate) applyKeys(d *router.Device) error {
	if in.AppKey == nil && in.NwkKey == nil {
		return nil
	}
	if !d.OTAA {
		return errABPRootKeys()
	}
	if in.AppKey != nil {
		if err := hexField("app_key", *in.AppKey, &d.AppKey, 16); err != nil {
			return err
		}
	}
	if in.NwkKey == nil {
		return nil
	}
	if d.MACVersion != "1.1.0" {
		return errOneRootKey(d.MACVersion)
	}
	return hexField("nwk_key", *in.NwkKey, &d.NwkKey, 16)
}

// sameEUI refuses an EUI field that is sent with another value than the
// device's.
func sameEUI(field string, value *string, have lorawan.EUI64) error {
	if value == nil {
		return nil
	}
	var eui lorawan.EUI64
	if err := hexField(field, *value, &eui, 8); err != nil {
		return err
	}
	if eui != have {
		return errFixed(field, *value, have.String())
	}
	return nil
}

// sameString is sameEUI for a text field.
func sameString(field string, value *string, have string) error {
	if value != nil && *value != have {
		return errFixed(field, *value, have)
	}
	return nil
}

func errFixed(field, got, have string) error {
	return badRequest("field %q cannot be changed (the device has %q, the request %q): "+
		"delete the device and register it again", field, have, got)
}
