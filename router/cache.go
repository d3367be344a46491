package router

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/store"
)

// Session cache defaults.
const (
	// DefaultCacheTTL bounds how long a device or its sessions are served
	// from memory: changes made outside this router (the management API, a
	// join answered by another instance of a cluster) are seen after it.
	DefaultCacheTTL = time.Minute
	// cacheMaxEntries bounds each of the cache's maps; past it the map
	// starts afresh.
	cacheMaxEntries = 200_000
)

// cachedStore keeps the data path's reads in memory: the sessions on a
// DevAddr and the devices by DevEUI. The router's own session writes go
// through it (write-through), so its counters are always current here;
// anything else expires after ttl. Look-ups that find nothing are not
// cached (an unknown DevAddr stays a store read: a cheap one, and the
// answer may change at any moment).
type cachedStore struct {
	Store
	clock clock.Clock
	ttl   time.Duration

	mu       sync.Mutex
	gen      uint64 // counts session writes, so a read that raced one is not cached
	devGen   uint64 // counts device updates, likewise
	sessions map[lorawan.DevAddr]cachedSessions
	devices  map[lorawan.EUI64]cachedDevice
	addrOf   map[lorawan.EUI64]lorawan.DevAddr // where each cached session is filed
}

type cachedSessions struct {
	list []Session
	at   time.Time
}

type cachedDevice struct {
	dev Device
	at  time.Time
}

func newCachedStore(s Store, c clock.Clock, ttl time.Duration) *cachedStore {
	cs := &cachedStore{Store: s, clock: c, ttl: ttl}
	cs.Clear()
	return cs
}

// Clear forgets everything: after this instance of a cluster gains or
// loses shards, another may have moved its devices' counters.
func (c *cachedStore) Clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sessions = map[lorawan.DevAddr]cachedSessions{}
	c.devices = map[lorawan.EUI64]cachedDevice{}
	c.addrOf = map[lorawan.EUI64]lorawan.DevAddr{}
}

// Forget drops a DevAddr's sessions, e.g. after keys cached for it failed
// a MIC: they may have changed in the store.
func (c *cachedStore) Forget(addr lorawan.DevAddr) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.sessions[addr].list {
		delete(c.addrOf, s.DevEUI)
		delete(c.devices, s.DevEUI)
	}
	delete(c.sessions, addr)
}

func (c *cachedStore) fresh(at time.Time) bool { return c.clock.Now().Sub(at) < c.ttl }

func (c *cachedStore) SessionsByDevAddr(ctx context.Context, addr lorawan.DevAddr) ([]Session, error) {
	c.mu.Lock()
	e, ok := c.sessions[addr]
	gen := c.gen
	c.mu.Unlock()
	if ok && c.fresh(e.at) {
		return append([]Session(nil), e.list...), nil
	}
	list, err := c.Store.SessionsByDevAddr(ctx, addr)
	if err != nil || len(list) == 0 {
		return list, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return list, nil // a session was written meanwhile: this list may predate it
	}
	c.bound()
	c.sessions[addr] = cachedSessions{list: append([]Session(nil), list...), at: c.clock.Now()}
	for _, s := range list {
		c.addrOf[s.DevEUI] = addr
	}
	return list, nil
}

func (c *cachedStore) GetDevice(ctx context.Context, devEUI lorawan.EUI64) (Device, error) {
	c.mu.Lock()
	e, ok := c.devices[devEUI]
	gen := c.devGen
	c.mu.Unlock()
	if ok && c.fresh(e.at) {
		return e.dev, nil
	}
	d, err := c.Store.GetDevice(ctx, devEUI)
	if err != nil {
		return d, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.devGen != gen {
		return d, nil // a device was updated meanwhile: d may predate it
	}
	c.bound()
	c.devices[devEUI] = cachedDevice{dev: d, at: c.clock.Now()}
	return d, nil
}

// SaveSession writes through: the store first, then the cached copy, which
// moves when the device joined on another DevAddr.
func (c *cachedStore) SaveSession(ctx context.Context, s Session) error {
	if err := c.Store.SaveSession(ctx, s); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if old, ok := c.addrOf[s.DevEUI]; ok && old != s.DevAddr {
		c.dropSession(old, s.DevEUI)
	}
	e, ok := c.sessions[s.DevAddr]
	if !ok {
		return nil // not cached: the next read loads it
	}
	for i := range e.list {
		if e.list[i].DevEUI == s.DevEUI {
			e.list[i] = s
			return nil
		}
	}
	delete(c.sessions, s.DevAddr) // a newcomer on a cached DevAddr: reload the list, sorted
	return nil
}

func (c *cachedStore) GetSession(ctx context.Context, devEUI lorawan.EUI64) (Session, error) {
	c.mu.Lock()
	if addr, ok := c.addrOf[devEUI]; ok {
		if e, ok := c.sessions[addr]; ok && c.fresh(e.at) {
			for _, s := range e.list {
				if s.DevEUI == devEUI {
					c.mu.Unlock()
					return s, nil
				}
			}
		}
	}
	c.mu.Unlock()
	return c.Store.GetSession(ctx, devEUI)
}

func (c *cachedStore) DeleteDevice(ctx context.Context, devEUI lorawan.EUI64) error {
	err := c.Store.DeleteDevice(ctx, devEUI)
	if err == nil || errors.Is(err, store.ErrNotFound) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.dropDevice(devEUI)
	}
	return err
}

// dropDevice forgets a device and its session; c.mu is held.
func (c *cachedStore) dropDevice(devEUI lorawan.EUI64) {
	if addr, ok := c.addrOf[devEUI]; ok {
		c.dropSession(addr, devEUI)
	}
	delete(c.devices, devEUI)
}

// UpdateDevice writes through and drops the cached device, so that this
// router's next look-up reads the new name and keys; other routers see them
// when their copy expires.
func (c *cachedStore) UpdateDevice(ctx context.Context, d Device) error {
	err := c.Store.UpdateDevice(ctx, d)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.devGen++
	delete(c.devices, d.DevEUI)
	return err
}

// dropSession removes devEUI's session from addr's cached list.
func (c *cachedStore) dropSession(addr lorawan.DevAddr, devEUI lorawan.EUI64) {
	delete(c.addrOf, devEUI)
	e, ok := c.sessions[addr]
	if !ok {
		return
	}
	kept := e.list[:0:0]
	for _, s := range e.list {
		if s.DevEUI != devEUI {
			kept = append(kept, s)
		}
	}
	if len(kept) == 0 {
		delete(c.sessions, addr)
		return
	}
	c.sessions[addr] = cachedSessions{list: kept, at: e.at}
}

// bound starts afresh when a map is full (rare: entries expire long before
// a network's devices fill it, and a fresh start only costs reads).
func (c *cachedStore) bound() {
	if len(c.sessions) >= cacheMaxEntries || len(c.devices) >= cacheMaxEntries {
		c.sessions = map[lorawan.DevAddr]cachedSessions{}
		c.devices = map[lorawan.EUI64]cachedDevice{}
		c.addrOf = map[lorawan.EUI64]lorawan.DevAddr{}
	}
}

// Store is the router's view of its store: through its cache, so that
// writes made with it (the management API's, in the same process) are seen
// by this router at once.
func (r *Router) Store() Store { return r.store }

// forgetDevice drops a device and its session from the cache, if there is
// one.
func (r *Router) forgetDevice(devEUI lorawan.EUI64) {
	if r.cache == nil {
		return
	}
	r.cache.mu.Lock()
	defer r.cache.mu.Unlock()
	r.cache.dropDevice(devEUI)
}

// forgetAll empties the cache, if there is one.
func (r *Router) forgetAll() {
	if r.cache != nil {
		r.cache.Clear()
	}
}
