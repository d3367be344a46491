package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/brocaar/lorawan"
	"github.com/google/uuid"

	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store"
)

// queueTests cover DownlinkQueue.
var queueTests = []struct {
	name string
	fn   func(t *testing.T, s router.Store)
}{
	{"Queue/Order", testQueueOrder},
	{"Queue/Limit", testQueueLimit},
	{"Queue/ConcurrentLimit", testQueueConcurrentLimit},
	{"Queue/RecordTx", testQueueRecordTx},
	{"Queue/Delete", testQueueDelete},
	{"Queue/Flush", testQueueFlush},
	{"Queue/UnknownDevice", testQueueUnknownDevice},
	{"Queue/DeviceDeleted", testQueueDeviceDeleted},
}

// queueItem is the n-th downlink of a device, as enqueued.
func queueItem(dev lorawan.EUI64, n byte) router.QueueItem {
	return router.QueueItem{
		ID:     uuid.UUID{0x51, 15: n, 14: dev[7]},
		DevEUI: dev,
		Downlink: router.Downlink{
			FPort: 1 + n%223, Data: []byte{0x00, n, 0xff}, Confirmed: n%2 == 1,
		},
		CreatedAt: base.Add(time.Duration(n) * time.Second),
	}
}

// storedItem is what a store lists for q before any transmission.
func storedItem(q router.QueueItem) router.QueueItem {
	q.CreatedAt = stored(q.CreatedAt)
	return q
}

// mustDevices registers devices 1..n.
func mustDevices(t *testing.T, s router.Store, n byte) {
	t.Helper()
	for i := byte(1); i <= n; i++ {
		if err := s.CreateDevice(t.Context(), device(i, "app")); err != nil {
			t.Fatalf("CreateDevice(%d): %v", i, err)
		}
	}
}

func mustEnqueue(t *testing.T, s router.Store, qs ...router.QueueItem) {
	t.Helper()
	for _, q := range qs {
		if err := s.EnqueueDownlink(t.Context(), q); err != nil {
			t.Fatalf("EnqueueDownlink(%s): %v", q.ID, err)
		}
	}
}

// checkQueue compares a device's whole queue with want.
func checkQueue(t *testing.T, s router.Store, dev lorawan.EUI64, want ...router.QueueItem) {
	t.Helper()
	got, err := s.ListDownlinks(t.Context(), dev, 0)
	if err != nil {
		t.Fatalf("ListDownlinks(%s): %v", dev, err)
	}
	if d := diff(want, got); d != "" {
		t.Errorf("queue of %s (-want +got):\n%s", dev, d)
	}
}

func testQueueOrder(t *testing.T, s router.Store) {
	mustDevices(t, s, 2)
	a, b := devEUI(1), devEUI(2)
	// Enqueued out of CreatedAt order: the queue keeps the enqueue order.
	qs := []router.QueueItem{queueItem(a, 3), queueItem(a, 1), queueItem(b, 1), queueItem(a, 2)}
	mustEnqueue(t, s, qs...)
	empty := queueItem(a, 4)
	empty.Data = nil
	mustEnqueue(t, s, empty)
	checkQueue(t, s, a, storedItem(qs[0]), storedItem(qs[1]), storedItem(qs[3]), storedItem(empty))
	checkQueue(t, s, b, storedItem(qs[2]))
	head, err := s.ListDownlinks(t.Context(), a, 2)
	if err != nil {
		t.Fatal(err)
	}
	if d := diff([]router.QueueItem{storedItem(qs[0]), storedItem(qs[1])}, head); d != "" {
		t.Errorf("ListDownlinks(limit 2) (-want +got):\n%s", d)
	}
	if err := s.EnqueueDownlink(t.Context(), queueItem(a, 3)); !errors.Is(err, store.ErrConflict) {
		t.Errorf("EnqueueDownlink of a queued ID = %v, want store.ErrConflict", err)
	}
}

func testQueueLimit(t *testing.T, s router.Store) {
	mustDevices(t, s, 2)
	a := devEUI(1)
	for i := range router.MaxQueuedDownlinks {
		mustEnqueue(t, s, queueItem(a, byte(i)))
	}
	over := queueItem(a, router.MaxQueuedDownlinks)
	if err := s.EnqueueDownlink(t.Context(), over); !errors.Is(err, router.ErrQueueFull) {
		t.Fatalf("EnqueueDownlink beyond %d = %v, want router.ErrQueueFull", router.MaxQueuedDownlinks, err)
	}
	mustEnqueue(t, s, queueItem(devEUI(2), 0)) // another device's queue has room
	if err := s.DeleteDownlink(t.Context(), queueItem(a, 0).ID); err != nil {
		t.Fatal(err)
	}
	mustEnqueue(t, s, over)
	got, err := s.ListDownlinks(t.Context(), a, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != router.MaxQueuedDownlinks || got[0].ID != queueItem(a, 1).ID || got[len(got)-1].ID != over.ID {
		t.Errorf("queue after delete and enqueue: %d items, want %d from item 1 to %s", len(got), router.MaxQueuedDownlinks, over.ID)
	}
}

// testQueueConcurrentLimit: enqueues racing for the last places of one
// queue never overfill it.
func testQueueConcurrentLimit(t *testing.T, s router.Store) {
	mustDevices(t, s, 1)
	a := devEUI(1)
	const n = router.MaxQueuedDownlinks + 16
	errs := make(chan error, n)
	for i := range n {
		go func() { errs <- s.EnqueueDownlink(t.Context(), queueItem(a, byte(i))) }()
	}
	queued := 0
	for range n {
		switch err := <-errs; {
		case err == nil:
			queued++
		case !errors.Is(err, router.ErrQueueFull):
			t.Errorf("EnqueueDownlink: %v", err)
		}
	}
	got, err := s.ListDownlinks(t.Context(), a, 0)
	if err != nil || queued != router.MaxQueuedDownlinks || len(got) != queued {
		t.Errorf("%d enqueues succeeded, %d listed (%v); want %d", queued, len(got), err, router.MaxQueuedDownlinks)
	}
}

func testQueueRecordTx(t *testing.T, s router.Store) {
	ctx := t.Context()
	mustDevices(t, s, 1)
	a := devEUI(1)
	q0, q1 := queueItem(a, 0), queueItem(a, 1)
	mustEnqueue(t, s, q0, q1)
	for i, fcnt := range []uint32{7, 4294967295} {
		if err := s.RecordDownlinkTx(ctx, q1.ID, fcnt, base.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatalf("RecordDownlinkTx #%d: %v", i+1, err)
		}
	}
	want := storedItem(q1)
	want.Attempts, want.FCnt, want.SentAt = 2, 4294967295, stored(base.Add(time.Minute))
	checkQueue(t, s, a, storedItem(q0), want)
	if err := s.RecordDownlinkTx(ctx, uuid.New(), 1, base); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RecordDownlinkTx of an unknown item = %v, want store.ErrNotFound", err)
	}
}

func testQueueDelete(t *testing.T, s router.Store) {
	ctx := t.Context()
	mustDevices(t, s, 1)
	a := devEUI(1)
	q0, q1, q2 := queueItem(a, 0), queueItem(a, 1), queueItem(a, 2)
	mustEnqueue(t, s, q0, q1, q2)
	if err := s.DeleteDownlink(ctx, q1.ID); err != nil {
		t.Fatal(err)
	}
	checkQueue(t, s, a, storedItem(q0), storedItem(q2))
	if err := s.DeleteDownlink(ctx, q1.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second DeleteDownlink = %v, want store.ErrNotFound", err)
	}
	if err := s.DeleteDownlink(ctx, q0.ID); err != nil {
		t.Fatal(err)
	}
	q3 := queueItem(a, 3)
	mustEnqueue(t, s, q3) // goes behind q2
	checkQueue(t, s, a, storedItem(q2), storedItem(q3))
}

func testQueueFlush(t *testing.T, s router.Store) {
	ctx := t.Context()
	mustDevices(t, s, 2)
	a, b := devEUI(1), devEUI(2)
	mustEnqueue(t, s, queueItem(a, 0), queueItem(b, 0), queueItem(a, 1))
	if n, err := s.FlushDownlinks(ctx, a); err != nil || n != 2 {
		t.Fatalf("FlushDownlinks = %d, %v; want 2", n, err)
	}
	checkQueue(t, s, a)
	checkQueue(t, s, b, storedItem(queueItem(b, 0)))
	if n, err := s.FlushDownlinks(ctx, a); err != nil || n != 0 {
		t.Errorf("FlushDownlinks of an empty queue = %d, %v; want 0", n, err)
	}
	mustEnqueue(t, s, queueItem(a, 0)) // its ID is free again
	checkQueue(t, s, a, storedItem(queueItem(a, 0)))
}

func testQueueUnknownDevice(t *testing.T, s router.Store) {
	ctx := t.Context()
	ghost := devEUI(9)
	if err := s.EnqueueDownlink(ctx, queueItem(ghost, 0)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("EnqueueDownlink for an unknown device = %v, want store.ErrNotFound", err)
	}
	if got, err := s.ListDownlinks(ctx, ghost, 0); err != nil || len(got) != 0 {
		t.Errorf("ListDownlinks of an unknown device = %+v, %v; want none", got, err)
	}
	if n, err := s.FlushDownlinks(ctx, ghost); err != nil || n != 0 {
		t.Errorf("FlushDownlinks of an unknown device = %d, %v; want 0", n, err)
	}
	if err := s.DeleteDownlink(ctx, uuid.New()); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteDownlink of an unknown item = %v, want store.ErrNotFound", err)
	}
}

func testQueueDeviceDeleted(t *testing.T, s router.Store) {
	ctx := t.Context()
	mustDevices(t, s, 1)
	a := devEUI(1)
	mustEnqueue(t, s, queueItem(a, 0), queueItem(a, 1))
	if err := s.DeleteDevice(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateDevice(ctx, device(1, "app")); err != nil {
		t.Fatal(err)
	}
	checkQueue(t, s, a) // the old queue went with the device
}
