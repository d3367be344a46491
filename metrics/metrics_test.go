package metrics

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestServe(t *testing.T) {
	reg := NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Namespace: "hexnet", Name: "test_total", Help: "a test counter"})
	reg.MustRegister(c)
	c.Add(3)
	s, err := Listen("127.0.0.1:0", reg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, slog.New(slog.DiscardHandler)) }()
	resp, err := http.Get("http://" + s.Addr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "hexnet_test_total 3") {
		t.Errorf("metrics page lacks the counter:\n%.500s", body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Error(err)
	}
	if s, err := Listen("", reg); s != nil || err != nil {
		t.Errorf("empty address: %v, %v; want disabled", s, err)
	}
}
