package sqlitestore

import (
	"database/sql"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/router"
)

// scanner is *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// deviceRow is a row of devices.
type deviceRow struct {
	DevEUI, JoinEUI               []byte
	Application, Name, MACVersion string
	OTAA                          bool
	AppKey, NwkKey                []byte
	CreatedAt                     int64
	Class                         string
}

const deviceColumns = `dev_eui, join_eui, application, name, mac_version, otaa, app_key, nwk_key, created_at, class`

func scanDevice(sc scanner) (router.Device, error) {
	var r deviceRow
	err := sc.Scan(&r.DevEUI, &r.JoinEUI, &r.Application, &r.Name, &r.MACVersion, &r.OTAA, &r.AppKey, &r.NwkKey, &r.CreatedAt, &r.Class)
	return r.device(), err
}

func (r deviceRow) device() router.Device {
	d := router.Device{
		Application: r.Application,
		Name:        r.Name,
		Class:       r.Class,
		MACVersion:  r.MACVersion,
		OTAA:        r.OTAA,
		CreatedAt:   fromMicros(r.CreatedAt),
	}
	copy(d.DevEUI[:], r.DevEUI)
	copy(d.JoinEUI[:], r.JoinEUI)
	copy(d.AppKey[:], r.AppKey)
	copy(d.NwkKey[:], r.NwkKey)
	return d
}

// sessionRow is a row of device_sessions.
type sessionRow struct {
	DevEUI, DevAddr                               []byte
	FNwkSIntKey, SNwkSIntKey, NwkSEncKey, AppSKey []byte
	FCntUp, NFCntDown, AFCntDown                  int64
	UpdatedAt                                     int64
}

const sessionColumns = `dev_eui, dev_addr, f_nwk_s_int_key, s_nwk_s_int_key, nwk_s_enc_key, app_s_key,
	fcnt_up, nfcnt_down, afcnt_down, updated_at`

func scanSession(sc scanner) (router.Session, error) {
	var r sessionRow
	err := sc.Scan(&r.DevEUI, &r.DevAddr, &r.FNwkSIntKey, &r.SNwkSIntKey, &r.NwkSEncKey, &r.AppSKey,
		&r.FCntUp, &r.NFCntDown, &r.AFCntDown, &r.UpdatedAt)
	return r.session(), err
}

func (r sessionRow) session() router.Session {
	s := router.Session{
		FCntUp:    uint32(r.FCntUp),
		NFCntDown: uint32(r.NFCntDown),
		AFCntDown: uint32(r.AFCntDown),
		UpdatedAt: fromMicros(r.UpdatedAt),
	}
	copy(s.DevEUI[:], r.DevEUI)
	copy(s.DevAddr[:], r.DevAddr)
	copy(s.FNwkSIntKey[:], r.FNwkSIntKey)
	copy(s.SNwkSIntKey[:], r.SNwkSIntKey)
	copy(s.NwkSEncKey[:], r.NwkSEncKey)
	copy(s.AppSKey[:], r.AppSKey)
	return s
}

func scanTraffic(sc scanner) (router.Traffic, error) {
	var t router.Traffic
	var hotspot string
	err := sc.Scan(&hotspot, &t.Copies, &t.Bytes, &t.DataCredits)
	t.Hotspot = identity.Address(hotspot)
	return t, err
}

// hotspotRow is a row of hotspots.
type hotspotRow struct {
	Address             string
	FirstSeen, LastSeen int64
}

func scanHotspot(sc scanner) (router.Hotspot, error) {
	var r hotspotRow
	err := sc.Scan(&r.Address, &r.FirstSeen, &r.LastSeen)
	h := router.Hotspot{Address: identity.Address(r.Address), FirstSeen: fromMicros(r.FirstSeen), LastSeen: fromMicros(r.LastSeen)}
	return h, err
}

// collect scans every row with scan.
func collect[T any](rows *sql.Rows, err error, scan func(scanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// eui, addr and key give the byte slices written as BLOBs.
func eui(e lorawan.EUI64) []byte     { return e[:] }
func addr(a lorawan.DevAddr) []byte  { return a[:] }
func key(k lorawan.AES128Key) []byte { return k[:] }
