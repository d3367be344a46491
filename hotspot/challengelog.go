package hotspot

import (
	"sync"
	"time"
)

// maxRemembered bounds the live challenges remembered against replays.
// The oracle challenges a hotspot about once per beacon interval, so this
// is far above what an honest oracle ever causes.
const maxRemembered = 4096

// ownBeaconMemory is how long after its challenge expires a beacon the
// hotspot sent is still recognised as its own when its radio hears it.
const ownBeaconMemory = time.Minute

// challengeLog remembers the challenges obeyed, until they expire, and the
// beacon payloads sent, so that the hotspot never beacons twice for one
// challenge and never witnesses itself. Its zero value is ready.
type challengeLog struct {
	mu   sync.Mutex
	seen map[[32]byte]time.Time // challenge body hash → its expiry
	own  map[string]time.Time   // beacon payload sent → forget after
}

// remember records an obeyed challenge and its beacon payload; it returns
// RefuseReplayed for one already recorded and RefuseBusy when full.
func (l *challengeLog) remember(key [32]byte, expires time.Time, payload []byte, now time.Time) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, dup := l.seen[key]; dup {
		return RefuseReplayed
	}
	if len(l.seen) >= maxRemembered {
		l.forgetLocked(now)
		if len(l.seen) >= maxRemembered {
			return RefuseBusy
		}
	}
	if l.seen == nil {
		l.seen, l.own = map[[32]byte]time.Time{}, map[string]time.Time{}
	}
	l.seen[key] = expires
	l.own[string(payload)] = expires.Add(ownBeaconMemory)
	return ""
}

// isOwn reports whether payload is a beacon this hotspot sent recently.
func (l *challengeLog) isOwn(payload []byte, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	until, ok := l.own[string(payload)]
	return ok && !now.After(until)
}

// forget drops expired challenges (a replay of one is refused as expired
// from then on) and beacons past their memory.
func (l *challengeLog) forget(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.forgetLocked(now)
}

func (l *challengeLog) forgetLocked(now time.Time) {
	for k, exp := range l.seen {
		if !now.Before(exp) {
			delete(l.seen, k)
		}
	}
	for p, until := range l.own {
		if now.After(until) {
			delete(l.own, p)
		}
	}
}
