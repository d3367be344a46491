package pgstore

import (
	"time"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/router"
)

// deviceRow is a row of devices.
type deviceRow struct {
	DevEUI      []byte    `db:"dev_eui"`
	JoinEUI     []byte    `db:"join_eui"`
	Application string    `db:"application"`
	Name        string    `db:"name"`
	MACVersion  string    `db:"mac_version"`
	OTAA        bool      `db:"otaa"`
	AppKey      []byte    `db:"app_key"`
	NwkKey      []byte    `db:"nwk_key"`
	CreatedAt   time.Time `db:"created_at"`
	Class       string    `db:"class"`
}

func (r deviceRow) device() router.Device {
	d := router.Device{
		Application: r.Application,
		Name:        r.Name,
		Class:       r.Class,
		MACVersion:  r.MACVersion,
		OTAA:        r.OTAA,
		CreatedAt:   r.CreatedAt.UTC(),
	}
	copy(d.DevEUI[:], r.DevEUI)
	copy(d.JoinEUI[:], r.JoinEUI)
	copy(d.AppKey[:], r.AppKey)
	copy(d.NwkKey[:], r.NwkKey)
	return d
}

// sessionRow is a row of device_sessions.
type sessionRow struct {
	DevEUI      []byte    `db:"dev_eui"`
	DevAddr     []byte    `db:"dev_addr"`
	FNwkSIntKey []byte    `db:"f_nwk_s_int_key"`
	SNwkSIntKey []byte    `db:"s_nwk_s_int_key"`
	NwkSEncKey  []byte    `db:"nwk_s_enc_key"`
	AppSKey     []byte    `db:"app_s_key"`
	FCntUp      int64     `db:"fcnt_up"`
	NFCntDown   int64     `db:"nfcnt_down"`
	AFCntDown   int64     `db:"afcnt_down"`
	UpdatedAt   time.Time `db:"updated_at"`
}

func (r sessionRow) session() router.Session {
	s := router.Session{
		FCntUp:    uint32(r.FCntUp),
		NFCntDown: uint32(r.NFCntDown),
		AFCntDown: uint32(r.AFCntDown),
		UpdatedAt: r.UpdatedAt.UTC(),
	}
	copy(s.DevEUI[:], r.DevEUI)
	copy(s.DevAddr[:], r.DevAddr)
	copy(s.FNwkSIntKey[:], r.FNwkSIntKey)
	copy(s.SNwkSIntKey[:], r.SNwkSIntKey)
	copy(s.NwkSEncKey[:], r.NwkSEncKey)
	copy(s.AppSKey[:], r.AppSKey)
	return s
}

// trafficRow is one hotspot's line of TrafficBetween.
type trafficRow struct {
	Hotspot string `db:"hotspot"`
	Copies  int64  `db:"copies"`
	Bytes   int64  `db:"bytes"`
	DC      int64  `db:"data_credits"`
}

func (r trafficRow) traffic() router.Traffic {
	return router.Traffic{Hotspot: identity.Address(r.Hotspot), Copies: r.Copies, Bytes: r.Bytes, DataCredits: r.DC}
}

// hotspotRow is a row of hotspots.
type hotspotRow struct {
	Address   string    `db:"address"`
	FirstSeen time.Time `db:"first_seen"`
	LastSeen  time.Time `db:"last_seen"`
}

func (r hotspotRow) hotspot() router.Hotspot {
	return router.Hotspot{
		Address:   identity.Address(r.Address),
		FirstSeen: r.FirstSeen.UTC(),
		LastSeen:  r.LastSeen.UTC(),
	}
}

// eui, addr and key give the byte slices pgx writes as bytea.
func eui(e lorawan.EUI64) []byte     { return e[:] }
func addr(a lorawan.DevAddr) []byte  { return a[:] }
func key(k lorawan.AES128Key) []byte { return k[:] }
