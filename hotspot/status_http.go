package hotspot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// DefaultStatusListen is where the status endpoint listens by default.
const DefaultStatusListen = "127.0.0.1:1681"

// StatusPath is the status endpoint's URL path.
const StatusPath = "/status"

// ErrNotLoopback reports a status address reachable from other machines.
var ErrNotLoopback = errors.New("hotspot: the status endpoint listens on loopback only")

// CheckLoopback accepts HOST:PORT whose host is a loopback IP or
// "localhost"; the status endpoint tells anyone who asks about the
// hotspot, so it never listens on a network interface.
func CheckLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q: want HOST:PORT, e.g. %s: %w", addr, DefaultStatusListen, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%w: %q is not a loopback address (use 127.0.0.1 or [::1], e.g. %s)", ErrNotLoopback, addr, DefaultStatusListen)
	}
	return nil
}

// StatusServer serves the daemon's Status as JSON on a loopback address.
type StatusServer struct {
	ln  net.Listener
	srv *http.Server
}

// ListenStatus binds the status endpoint; it refuses non-loopback addresses.
func ListenStatus(addr string, d *Daemon) (*StatusServer, error) {
	if err := CheckLoopback(addr); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("hotspot: status endpoint: %w (is another hotspotd running?)", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET "+StatusPath, StatusHandler(d))
	return &StatusServer{ln: ln, srv: &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}}, nil
}

// Addr is the bound address.
func (s *StatusServer) Addr() string { return s.ln.Addr().String() }

// Run serves until ctx ends.
func (s *StatusServer) Run(ctx context.Context, log *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(s.ln) }()
	log.Info("status endpoint", "url", "http://"+s.Addr()+StatusPath)
	select {
	case err := <-errc:
		return fmt.Errorf("hotspot: status endpoint: %w", err)
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	s.srv.Shutdown(shut)
	<-errc
	return nil
}

// StatusHandler serves d.Status() as JSON.
func StatusHandler(d *Daemon) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(d.Status())
	})
}
