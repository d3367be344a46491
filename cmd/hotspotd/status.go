package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/hexnet/hexnet/config"
	"github.com/hexnet/hexnet/hotspot"
)

// validateOps checks the status and update settings (Config.Validate).
func (c *Config) validateOps() error {
	if c.StatusListen != "" {
		if err := hotspot.CheckLoopback(c.StatusListen); err != nil {
			return config.Errorf("status_listen", "%v; the status endpoint is for the owner on this machine only (empty disables it)", err)
		}
	}
	return c.validateUpdate()
}

// showStatus is `hotspotd status`: it reads the running daemon's loopback
// status endpoint and prints it for the hotspot's owner.
func showStatus(args []string) error {
	fs := flag.NewFlagSet("hotspotd status", flag.ContinueOnError)
	def := os.Getenv("HEXNET_STATUS_LISTEN")
	if def == "" {
		def = hotspot.DefaultStatusListen
	}
	addr := fs.String("status-listen", def, "the daemon's status endpoint (its --status-listen; env HEXNET_STATUS_LISTEN)")
	asJSON := fs.Bool("json", false, "print the endpoint's JSON as is")
	if err := fs.Parse(args); err != nil {
		return config.Errorf("status_listen", "%v", err)
	}
	st, raw, err := fetchStatus(*addr)
	if err != nil {
		return err
	}
	if *asJSON {
		_, err := os.Stdout.Write(raw)
		return err
	}
	printStatus(os.Stdout, st, time.Now())
	return nil
}

// fetchStatus GETs the status endpoint at addr.
func fetchStatus(addr string) (*hotspot.Status, []byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+hotspot.StatusPath, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("status endpoint %q: %w", addr, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("hotspotd is not running, or its status endpoint is not %s (%v); start it (systemctl start hotspotd) or pass the address it was given with --status-listen", addr, errors.Unwrap(err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("status endpoint %s answered %s: %v", addr, resp.Status, err)
	}
	var st hotspot.Status
	if err := json.Unmarshal(raw, &st); err != nil {
		return nil, nil, fmt.Errorf("status endpoint %s: not hotspotd's status JSON: %w", addr, err)
	}
	return &st, raw, nil
}

// printStatus writes the owner's summary.
func printStatus(w io.Writer, st *hotspot.Status, now time.Time) {
	line := func(k, format string, a ...any) { fmt.Fprintf(w, "%-12s %s\n", k, fmt.Sprintf(format, a...)) }
	line("hotspot", "%s", st.Address)
	line("version", "%s", st.Version)
	line("region", "%s", orNone(st.Region, "not set (--region): transmit power is not capped"))
	line("broker", "%s", brokerLine(st.Broker))
	line("forwarder", "%s", orNone(st.Forwarder, "not heard yet: is the packet forwarder running and sending to this hotspotd's --gwmp-listen?"))
	line("uptime", "%s (since %s)", (time.Duration(st.UptimeS) * time.Second).String(), st.Started.Local().Format(time.RFC3339))
	if st.LastUplink != nil {
		line("last uplink", "%s ago (%s)", now.Sub(*st.LastUplink).Round(time.Second), st.LastUplink.Local().Format(time.RFC3339))
	} else {
		line("last uplink", "none yet")
	}
	line("uplinks", "%d received, %d with a good CRC, %d forwarded (broker ack ratio %.1f%%)", st.RxReceived, st.RxOK, st.RxForwarded, 100*st.AckRatio)
	line("downlinks", "%d received, %d transmitted", st.TxReceived, st.TxEmitted)
	queue := fmt.Sprintf("%d waiting", st.QueueDepth)
	if st.QueueOldestAgeMs > 0 {
		queue += fmt.Sprintf(", oldest %s", (time.Duration(st.QueueOldestAgeMs) * time.Millisecond).Round(time.Second))
	}
	line("queue", "%s", queue)
	line("dropped", "%s", drops(st.Dropped))
	line("oracle", "%s", orNone(string(st.Oracle), "none: proof-of-coverage challenges are refused (set --oracle)"))
}

func brokerLine(state string) string {
	switch state {
	case hotspot.BrokerOffline:
		return "OFFLINE: reconnecting; uplinks wait in the queue (check the network and --mqtt)"
	case hotspot.BrokerOnline:
		return "online"
	}
	return state
}

func orNone(s, none string) string {
	if s == "" {
		return none
	}
	return s
}

// drops lists drop counts by reason, largest first.
func drops(m map[string]uint64) string {
	if len(m) == 0 {
		return "none"
	}
	reasons := make([]string, 0, len(m))
	for r := range m {
		reasons = append(reasons, r)
	}
	sort.Slice(reasons, func(i, j int) bool {
		if m[reasons[i]] != m[reasons[j]] {
			return m[reasons[i]] > m[reasons[j]]
		}
		return reasons[i] < reasons[j]
	})
	parts := make([]string, len(reasons))
	for i, r := range reasons {
		parts[i] = fmt.Sprintf("%s %d", r, m[r])
	}
	return strings.Join(parts, ", ")
}

// serveStatus binds the status endpoint when one is configured; the
// returned function serves it. A non-loopback address is refused (Validate
// already did); a taken port only costs the endpoint, not the hotspot: it
// is logged and the daemon runs without it.
func serveStatus(cfg *Config, d *hotspot.Daemon, log *slog.Logger) (func(ctx context.Context) error, error) {
	if cfg.StatusListen == "" {
		return nil, nil
	}
	srv, err := hotspot.ListenStatus(cfg.StatusListen, d)
	if errors.Is(err, hotspot.ErrNotLoopback) {
		return nil, config.Errorf("status_listen", "%v", err)
	}
	if err != nil {
		log.Warn("running without the status endpoint; 'hotspotd status' will not reach this daemon", "err", err)
		return nil, nil
	}
	return func(ctx context.Context) error { return srv.Run(ctx, log) }, nil
}
