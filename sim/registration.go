package sim

import (
	"github.com/hexnet/hexnet/router"
)

// MACVersion is the LoRaWAN version the simulated devices speak unless
// Config.MACVersions says otherwise.
const MACVersion = MACVersion1_0_3

// Registration is what the router's store must hold for one device: the
// device, and for ABP devices the provisioned session. CreatedAt and
// UpdatedAt are left zero for the store to stamp.
type Registration struct {
	Device  router.Device
	Session *router.Session // ABP only
}

// Registrations lists every device's registration, by device index.
func (w *World) Registrations() []Registration {
	out := make([]Registration, len(w.nodes))
	for i, n := range w.nodes {
		out[i] = registration(n.Device, w.cfg.Application)
	}
	return out
}

func registration(d Device, app string) Registration {
	r := Registration{Device: router.Device{
		DevEUI: d.DevEUI, JoinEUI: d.JoinEUI, Application: app, Name: d.Name,
		MACVersion: d.MACVersion, OTAA: d.OTAA, AppKey: d.AppKey, NwkKey: d.NwkKey,
	}}
	if !d.OTAA {
		sNwkSIntKey, nwkSEncKey := d.networkKeys()
		r.Session = &router.Session{
			DevEUI: d.DevEUI, DevAddr: d.DevAddr,
			FNwkSIntKey: d.NwkSKey, SNwkSIntKey: sNwkSIntKey, NwkSEncKey: nwkSEncKey, AppSKey: d.AppSKey,
		}
	}
	return r
}
