package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"sync"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/mqttclient"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

// frameKey names one data frame of one device.
type frameKey struct {
	DevEUI string
	FCnt   uint32
}

// upEvent is the part of an `up` event the devnet checks.
type upEvent struct {
	DeviceInfo struct {
		DevEUI string `json:"devEui"`
	} `json:"deviceInfo"`
	FCnt   uint32            `json:"fCnt"`
	FPort  uint8             `json:"fPort"`
	Data   string            `json:"data"`
	RxInfo []json.RawMessage `json:"rxInfo"`
}

// watcher subscribes like any application would (anonymously, read-only)
// and tallies what the network delivered.
type watcher struct {
	mu     sync.Mutex
	events map[string]int // by event type
	ups    map[frameKey][]byte
	dupes  int
	copies int
	bad    int
	online map[identity.Address]bool
}

func newWatcher() *watcher {
	return &watcher{events: map[string]int{}, ups: map[frameKey][]byte{}, online: map[identity.Address]bool{}}
}

func (w *watcher) subscribe(ctx context.Context, app, state *mqttclient.Client) error {
	if err := app.Subscribe(ctx, "hexnet/app/#", 1, w.onApp); err != nil {
		return err
	}
	return state.Subscribe(ctx, "hexnet/hotspot/+/state", 1, w.onState)
}

func (w *watcher) onApp(topic string, payload []byte) {
	typ := topic[strings.LastIndex(topic, "/")+1:]
	w.mu.Lock()
	defer w.mu.Unlock()
	w.events[typ]++
	if typ != "up" {
		return
	}
	var ev upEvent
	data, err := decodeUp(payload, &ev)
	if err != nil {
		w.bad++
		return
	}
	key := frameKey{DevEUI: ev.DeviceInfo.DevEUI, FCnt: ev.FCnt}
	if _, seen := w.ups[key]; seen {
		w.dupes++
		return
	}
	w.ups[key] = data
	w.copies += len(ev.RxInfo)
}

func decodeUp(payload []byte, ev *upEvent) ([]byte, error) {
	if err := json.Unmarshal(payload, ev); err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(ev.Data)
}

func (w *watcher) onState(topic string, payload []byte) {
	var st hexnetpb.State
	addr, err := identity.OpenBytes(payload, identity.KindState, &st)
	if err != nil || !strings.Contains(topic, "/"+addr.String()+"/") {
		return
	}
	w.mu.Lock()
	w.online[addr] = st.GetOnline()
	w.mu.Unlock()
}

// tally is a snapshot of the watcher's counts.
type tally struct {
	Ups, Joins, Events, Dupes, Bad, Online int
	CopiesPerFrame                         float64
}

func (w *watcher) snapshot() tally {
	w.mu.Lock()
	defer w.mu.Unlock()
	t := tally{Ups: len(w.ups), Joins: w.events["join"], Dupes: w.dupes, Bad: w.bad}
	for _, n := range w.events {
		t.Events += n
	}
	for _, on := range w.online {
		if on {
			t.Online++
		}
	}
	if t.Ups > 0 {
		t.CopiesPerFrame = float64(w.copies) / float64(t.Ups)
	}
	return t
}

// payload returns the delivered payload of a frame, if any.
func (w *watcher) payload(k frameKey) ([]byte, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	p, ok := w.ups[k]
	return p, ok
}
