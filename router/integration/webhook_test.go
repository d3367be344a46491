package integration

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func start(t *testing.T, o Options) *Webhook {
	t.Helper()
	o.Registerer = prometheus.NewRegistry()
	if o.BaseBackoff == 0 {
		o.BaseBackoff = time.Millisecond
	}
	w := New(o)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return w
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestWebhookSignsEveryEvent(t *testing.T) {
	secret := "s3cret"
	var mu sync.Mutex
	got := map[string]bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !Verify([]byte(secret), body, r.Header.Get(SignatureHeader)) {
			t.Errorf("%s: bad signature %q", r.Header.Get(EventHeader), r.Header.Get(SignatureHeader))
		}
		if r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("content type %q", r.Header.Get("Content-Type"))
		}
		mu.Lock()
		got[r.Header.Get(EventHeader)+":"+string(body)] = true
		mu.Unlock()
	}))
	defer srv.Close()
	w := start(t, Options{})
	types := []string{"up", "join", "ack", "txack", "status", "error"}
	for _, typ := range types {
		if err := w.Send(Delivery{URL: srv.URL, Secret: secret, Type: typ, Body: []byte(`{"t":"` + typ + `"}`)}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, func() bool { return w.Stats().Sent == float64(len(types)) })
	mu.Lock()
	defer mu.Unlock()
	for _, typ := range types {
		if !got[typ+`:{"t":"`+typ+`"}`] {
			t.Errorf("event %s not received", typ)
		}
	}
}

func TestSignKnownVector(t *testing.T) {
	// RFC 4231 test case 2.
	got := Sign([]byte("Jefe"), []byte("what do ya want for nothing?"))
	want := "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
	if got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	if Verify([]byte("Jefe"), []byte("what do ya want for nothing!"), want) {
		t.Fatal("Verify accepted a changed body")
	}
}

func TestWebhookNoSecretNoHeader(t *testing.T) {
	var hdr atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		hdr.Store(r.Header.Get(SignatureHeader) + "|")
	}))
	defer srv.Close()
	w := start(t, Options{})
	w.Send(Delivery{URL: srv.URL, Type: "up", Body: []byte(`{}`)})
	waitFor(t, func() bool { return w.Stats().Sent == 1 })
	if hdr.Load() != "|" {
		t.Fatalf("signature header without a secret: %v", hdr.Load())
	}
}

func TestWebhookRetriesThenSucceeds(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			rw.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	w := start(t, Options{MaxAttempts: 5})
	w.Send(Delivery{URL: srv.URL, Secret: "k", Type: "up", Body: []byte(`{}`)})
	waitFor(t, func() bool { return w.Stats().Sent == 1 })
	if n := calls.Load(); n != 3 {
		t.Fatalf("calls = %d, want 3", n)
	}
	if s := w.Stats(); s.Failed != 2 || s.Dropped != 0 {
		t.Fatalf("stats = %+v", s)
	}
}

func TestWebhookGivesUpAfterMaxAttempts(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		rw.WriteHeader(http.StatusInternalServerError)
	}))
	defer srv.Close()
	w := start(t, Options{MaxAttempts: 3})
	w.Send(Delivery{URL: srv.URL, Type: "up", Body: []byte(`{}`)})
	waitFor(t, func() bool { return w.Stats().Dropped == 1 })
	if n := calls.Load(); n != 3 {
		t.Fatalf("calls = %d, want 3", n)
	}
	if s := w.Stats(); s.Sent != 0 || s.Failed != 3 {
		t.Fatalf("stats = %+v", s)
	}
}

func TestWebhookQueueFullDrops(t *testing.T) {
	w := New(Options{QueueSize: 1}) // not running: nothing drains
	if err := w.Send(Delivery{URL: "http://127.0.0.1:1", Type: "up"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Send(Delivery{URL: "http://127.0.0.1:1", Type: "up"}); err != ErrQueueFull {
		t.Fatalf("err = %v, want ErrQueueFull", err)
	}
	if s := w.Stats(); s.Dropped != 1 {
		t.Fatalf("stats = %+v", s)
	}
}
