package hotspot

import (
	"errors"
	"net"

	"github.com/hexnet/hexnet/hotspot/gwmp"
)

// handleDatagram decodes one datagram from the forwarder and acts on it.
// It never blocks on MQTT.
func (d *Daemon) handleDatagram(b []byte, from net.Addr) {
	p, err := gwmp.Decode(b)
	if err != nil {
		reason := dropReason(err)
		d.metrics.drop(reason)
		d.log.Debug("dropped GWMP datagram", "reason", reason, "from", from.String(), "bytes", len(b), "err", err)
		return
	}
	d.metrics.datagrams.WithLabelValues(p.Type.String()).Inc()
	switch p.Type {
	case gwmp.PushData:
		d.reply(gwmp.Ack(p), from)
		d.observeCounter(p.Push)
		d.handlePush(p)
	case gwmp.PullData:
		d.reply(gwmp.Ack(p), from)
		d.fwd.set(from, p.Version)
	case gwmp.TxAck:
		d.handleTxAck(p)
	default:
		d.metrics.drop(DropUnexpectedType)
		d.log.Debug("dropped GWMP datagram", "reason", DropUnexpectedType, "type", p.Type.String(), "from", from.String())
	}
}

// reply sends an acknowledgement, logging (not returning) a failure: the
// forwarder retries on its own.
func (d *Daemon) reply(b []byte, to net.Addr) {
	if err := d.send(b, to); err != nil {
		d.log.Warn("could not acknowledge the packet forwarder", "err", err)
	}
}

// dropReason maps a gwmp error to a drop reason.
func dropReason(err error) string {
	for _, r := range []struct {
		err    error
		reason string
	}{
		{gwmp.ErrTooShort, DropTooShort},
		{gwmp.ErrUnknownVersion, DropUnknownVersion},
		{gwmp.ErrUnknownType, DropUnknownType},
		{gwmp.ErrOversize, DropOversize},
		{gwmp.ErrBadDataRate, DropBadDataRate},
		{gwmp.ErrBadJSON, DropBadJSON},
		{gwmp.ErrBadPayload, DropBadPayload},
		{gwmp.ErrSizeMismatch, DropSizeMismatch},
	} {
		if errors.Is(err, r.err) {
			return r.reason
		}
	}
	return DropOther
}
