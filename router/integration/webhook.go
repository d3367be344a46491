// Package integration delivers application events to HTTP webhooks.
//
// A Webhook POSTs each event's JSON body to the application's URL with the
// headers X-Hexnet-Event (event type) and, when the application has a
// secret, X-Hexnet-Signature: sha256=<hex HMAC-SHA256 of the body>.
// Deliveries go through a bounded queue served by a fixed number of
// workers; a failed delivery (transport error or non-2xx status) is retried
// with exponential backoff, and dropped (and counted) after MaxAttempts or
// when the queue is full.
package integration

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// SignatureHeader carries the body's HMAC-SHA256.
const SignatureHeader = "X-Hexnet-Signature"

// EventHeader carries the event type (up, join, ack, txack, status, error).
const EventHeader = "X-Hexnet-Event"

// Sign returns the X-Hexnet-Signature value for body under secret:
// "sha256=" followed by the lower-case hex HMAC-SHA256.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether sig is body's valid signature under secret.
func Verify(secret, body []byte, sig string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(sig))
}

// Options configure a Webhook; zero fields take the defaults.
type Options struct {
	Client      *http.Client  // default: 10 s timeout
	QueueSize   int           // pending deliveries; default 1024
	Workers     int           // concurrent deliveries; default 4
	MaxAttempts int           // per delivery, including the first; default 5
	BaseBackoff time.Duration // first retry delay, doubled each retry; default 500 ms
	MaxBackoff  time.Duration // default 30 s
	Registerer  prometheus.Registerer
}

// Delivery is one event for one webhook.
type Delivery struct {
	URL    string
	Secret string // empty: no signature header
	Type   string // event type
	Body   []byte
}

// Webhook sends deliveries; start it with Run.
type Webhook struct {
	o     Options
	queue chan Delivery
	wg    sync.WaitGroup

	sent      *prometheus.CounterVec // by type
	failed    *prometheus.CounterVec // attempts that failed, by type
	dropped   *prometheus.CounterVec // by reason: queue_full, attempts, shutdown
	depth     prometheus.GaugeFunc
	durations prometheus.Histogram
}

// ErrQueueFull is returned by Send when the queue has no room.
var ErrQueueFull = errors.New("integration: webhook queue full")

// New returns a Webhook and registers its metrics when o.Registerer is set.
func New(o Options) *Webhook {
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 1024
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 5
	}
	if o.BaseBackoff <= 0 {
		o.BaseBackoff = 500 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 30 * time.Second
	}
	w := &Webhook{o: o, queue: make(chan Delivery, o.QueueSize)}
	w.sent = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hexnet_webhook_sent_total", Help: "Events delivered to webhooks, by event type."}, []string{"type"})
	w.failed = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hexnet_webhook_attempts_failed_total", Help: "Webhook attempts that failed, by event type."}, []string{"type"})
	w.dropped = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hexnet_webhook_dropped_total", Help: "Webhook deliveries given up, by reason."}, []string{"reason"})
	w.depth = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "hexnet_webhook_queue_depth", Help: "Webhook deliveries waiting."}, func() float64 { return float64(len(w.queue)) })
	w.durations = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "hexnet_webhook_request_seconds", Help: "Duration of webhook requests.", Buckets: prometheus.DefBuckets})
	if o.Registerer != nil {
		o.Registerer.MustRegister(w.sent, w.failed, w.dropped, w.depth, w.durations)
	}
	return w
}

// Send queues d without blocking; it returns ErrQueueFull (and counts a
// drop) when the queue is full.
func (w *Webhook) Send(d Delivery) error {
	select {
	case w.queue <- d:
		return nil
	default:
		w.dropped.WithLabelValues("queue_full").Inc()
		return ErrQueueFull
	}
}

// Run serves the queue until ctx ends; deliveries still queued then are
// dropped and counted.
func (w *Webhook) Run(ctx context.Context) {
	for range w.o.Workers {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case d := <-w.queue:
					w.deliver(ctx, d)
				}
			}
		}()
	}
	w.wg.Wait()
	for {
		select {
		case <-w.queue:
			w.dropped.WithLabelValues("shutdown").Inc()
		default:
			return
		}
	}
}

func (w *Webhook) deliver(ctx context.Context, d Delivery) {
	backoff := w.o.BaseBackoff
	for attempt := 1; ; attempt++ {
		err := w.post(ctx, d)
		if err == nil {
			w.sent.WithLabelValues(d.Type).Inc()
			return
		}
		w.failed.WithLabelValues(d.Type).Inc()
		if attempt >= w.o.MaxAttempts {
			w.dropped.WithLabelValues("attempts").Inc()
			return
		}
		select {
		case <-ctx.Done():
			w.dropped.WithLabelValues("shutdown").Inc()
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, w.o.MaxBackoff)
	}
}

func (w *Webhook) post(ctx context.Context, d Delivery) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(d.Body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(EventHeader, d.Type)
	if d.Secret != "" {
		req.Header.Set(SignatureHeader, Sign([]byte(d.Secret), d.Body))
	}
	start := time.Now()
	resp, err := w.o.Client.Do(req)
	w.durations.Observe(time.Since(start).Seconds())
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook status %d", resp.StatusCode)
	}
	return nil
}

// Stats are the counters, for tests and status pages.
type Stats struct{ Sent, Failed, Dropped float64 }

// Stats sums the counters over their labels.
func (w *Webhook) Stats() Stats {
	return Stats{Sent: sum(w.sent), Failed: sum(w.failed), Dropped: sum(w.dropped)}
}
