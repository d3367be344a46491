package oracle

import (
	"strings"
	"sync"
	"time"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

// Presence tracks which hotspots are online from their signed, retained
// state messages (hexnet/hotspot/+/state).
type Presence struct {
	mu    sync.RWMutex
	state map[identity.Address]seen
}

type seen struct {
	online bool
	at     time.Time
}

// NewPresence returns an empty tracker.
func NewPresence() *Presence { return &Presence{state: map[identity.Address]seen{}} }

// Handle takes one state message; unsigned or mis-addressed ones are ignored.
func (p *Presence) Handle(topic string, payload []byte) {
	var st hexnetpb.State
	addr, err := identity.OpenBytes(payload, identity.KindState, &st)
	if err != nil || !strings.HasPrefix(topic, "hexnet/hotspot/"+addr.String()+"/") {
		return
	}
	at := time.Unix(0, st.GetTimeUnixNs())
	p.mu.Lock()
	defer p.mu.Unlock()
	if prev, ok := p.state[addr]; ok && prev.at.After(at) {
		return // an older retained message arriving late
	}
	p.state[addr] = seen{online: st.GetOnline(), at: at}
}

// Online reports whether the hotspot last said it was online.
func (p *Presence) Online(addr identity.Address) bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.state[addr].online
}

// Status is "online", "offline" or "unknown".
func (p *Presence) Status(addr identity.Address) string {
	p.mu.RLock()
	defer p.mu.RUnlock()
	s, ok := p.state[addr]
	switch {
	case !ok:
		return "unknown"
	case s.online:
		return "online"
	}
	return "offline"
}
