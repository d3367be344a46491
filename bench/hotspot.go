package main

// The hotspot figures: hotspotd on its own, as it runs on a gateway.
//
//	hotspot_uplinks  uplinks/s from GWMP to the broker with the durable queue on, GOMAXPROCS=1,
//	                 next to the same daemon without the queue (in-memory publishing)
//	hotspot_rss_mb   peak VmRSS of the hotspotd binary, queue on, fed 1,000 uplinks/s for 10 s,
//	                 next to the goal (30 MB)
//
// hotspot_uplinks runs the daemon in this process with GOMAXPROCS set to 1
// for the whole run; the embedded broker, the subscriber that counts what
// arrives and the GWMP load generator share that one P, so the figure is a
// lower bound of hotspotd alone on one core. An uplink counts once the
// subscriber on the uplink shards has it, i.e. after the broker took it.
// hotspot_rss_mb builds cmd/hotspotd, runs it with GOMAXPROCS=1 against an
// embedded broker in this process, and samples /proc/PID/status. Both
// also print the goals (≥ 5,000 uplinks/s, RSS < 30 MB) on stderr,
// and hotspot_rss_mb the size of the firmware binary for every gateway
// architecture (built as make firmware builds them; goal < 20 MB).

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hexnet/hexnet/broker"
	"github.com/hexnet/hexnet/hotspot"
	"github.com/hexnet/hexnet/hotspot/gwmp"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/mqttclient"
)

// Goals of the hotspot figures (issue: hotspot firmware).
const (
	goalHotspotUplinks = 5000 // uplinks/s, queue on, one core
	goalHotspotRSSMB   = 30   // MB at 1,000 uplinks/s
	goalBinaryMB       = 20   // MB per architecture
	rssLoad            = 1000 // uplinks/s while RSS is sampled
	rssFor             = 10 * time.Second
	rssSample          = 50 * time.Millisecond
	hotspotDrain       = 30 * time.Second // after the load stops, everything sent has arrived within this
)

// firmwareTargets are the gateway architectures make firmware builds.
var firmwareTargets = []string{"arm", "arm64", "mipsle", "amd64"}

// hotspotUplinks measures uplinks/s through one in-process daemon on one P,
// with the durable queue and without.
func hotspotUplinks(ctx context.Context, cfg *config, out io.Writer) error {
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	progress("%s: GOMAXPROCS=1 (was %d): daemon, broker, subscriber and load generator share one P", figHotspotUplinks, prev)
	dir, err := os.MkdirTemp("", "hexnet-bench-queue-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	queued, err := hotspotRate(ctx, cfg, dir)
	if err != nil {
		return fmt.Errorf("with the queue: %w", err)
	}
	progress("%s: %.0f uplinks/s with the queue (%s)", figHotspotUplinks, queued, dir)
	plain, err := hotspotRate(ctx, cfg, "")
	if err != nil {
		return fmt.Errorf("without the queue: %w", err)
	}
	progress("%s: %.0f uplinks/s without the queue", figHotspotUplinks, plain)
	fmt.Fprintln(out, line(figHotspotUplinks, "uplinks/s", "%.1f", queued, plain))
	progress("%s: goal ≥ %d uplinks/s with the queue on one core: %s", figHotspotUplinks, goalHotspotUplinks,
		met(queued >= goalHotspotUplinks))
	return nil
}

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT MET"
}

// hotspotRate runs one daemon (durable queue in queueDir, none when empty)
// against a fresh embedded broker, pushes uplinks as fast as the windows
// allow for warm-up plus duration and returns the rate the subscriber saw
// during duration. Anything lost is an error.
func hotspotRate(ctx context.Context, cfg *config, queueDir string) (float64, error) {
	brk, err := broker.Start(broker.Options{Listen: "127.0.0.1:0", Logger: logger("broker", slog.LevelError)})
	if err != nil {
		return 0, err
	}
	defer brk.Close()
	var got atomic.Uint64
	sub, err := subscribeUplinks(ctx, brk.URL(), &got)
	if err != nil {
		return 0, err
	}
	defer sub.Close()

	key, err := identity.Generate()
	if err != nil {
		return 0, err
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	bus, err := hotspot.Dial(runCtx, key, brk.URL(), logger("mqtt"), "bench")
	if err != nil {
		return 0, err
	}
	defer bus.Close()
	reg := prometheus.NewRegistry()
	d, err := hotspot.New(hotspot.Options{Key: key, GWMPListen: "127.0.0.1:0", Bus: bus, Logger: logger("hotspot"),
		Registerer: reg, Version: "bench", QueueDir: queueDir})
	if err != nil {
		return 0, err
	}
	if err := d.Listen(); err != nil {
		return 0, err
	}
	done := make(chan error, 1)
	go func() { done <- d.Run(runCtx) }()
	defer func() { cancel(); <-done }()
	select {
	case <-d.Ready():
	case err := <-done:
		return 0, fmt.Errorf("hotspot ended before it was ready: %w", err)
	case <-time.After(10 * time.Second):
		return 0, errors.New("hotspot not ready after 10 s")
	}

	s, err := newSender(0, d.Addr(), func() uint64 { return finishedUplinks(d) })
	if err != nil {
		return 0, err
	}
	acks := make(chan struct{})
	go func() { s.readAcks(); close(acks) }()
	defer func() { s.conn.Close(); <-acks }()

	phy := make([]byte, phySize)
	var sent uint64
	start := time.Now()
	measureFrom, until := start.Add(cfg.warmup), start.Add(cfg.warmup+cfg.duration)
	var from uint64
	measuring := false
	for now := start; now.Before(until); now = time.Now() {
		if !measuring && !now.Before(measureFrom) {
			from, measuring = got.Load(), true
			measureFrom = now
		}
		uplinkPHY(phy, sent)
		if err := s.send(ctx, phy); err != nil {
			return 0, err
		}
		sent++
	}
	to, end := got.Load(), time.Now()
	if !measuring {
		return 0, errors.New("the warm-up never ended")
	}
	rate := float64(to-from) / end.Sub(measureFrom).Seconds()

	deadline := time.Now().Add(hotspotDrain)
	for got.Load() < sent && time.Now().Before(deadline) {
		if err := sleep(ctx, 5*time.Millisecond); err != nil {
			return 0, err
		}
	}
	var problems []string
	if n := got.Load(); n != sent {
		problems = append(problems, fmt.Sprintf("%d of %d uplinks sent reached the subscriber", n, sent))
	}
	if n := s.acksMissing.Load(); n > 0 {
		problems = append(problems, fmt.Sprintf("%d PUSH_DATA never acknowledged", n))
	}
	for reason, n := range counters(reg, "hexnet_hotspot_drops_total", "reason") {
		problems = append(problems, fmt.Sprintf("hotspot dropped %.0f (%s)", n, reason))
	}
	if len(problems) > 0 {
		return 0, fmt.Errorf("losses: %s", strings.Join(problems, "; "))
	}
	return rate, nil
}

// finishedUplinks is how many received uplinks d has published or dropped.
func finishedUplinks(d *hotspot.Daemon) uint64 {
	st := d.Stats()
	n := st.GetRxForwarded()
	for _, v := range st.GetDropped() {
		n += v
	}
	return n
}

// uplinkPHY writes a distinct unconfirmed data up (FPort 1, 12 bytes of
// data, phySize bytes in all) for index i into phy. The hotspot checks
// nothing but its shape; nobody checks the MIC here.
func uplinkPHY(phy []byte, i uint64) {
	phy[0] = 0x40                                  // MHDR: unconfirmed data up
	binary.LittleEndian.PutUint32(phy[1:], 0x2601) // DevAddr
	phy[5] = 0                                     // FCtrl
	binary.LittleEndian.PutUint16(phy[6:], uint16(i))
	phy[8] = 1 // FPort
	binary.LittleEndian.PutUint64(phy[9:], i)
	binary.LittleEndian.PutUint64(phy[17:], ^i) // the rest of the data and the MIC
}

// subscribeUplinks counts every uplink (hotspot.UplinkFilter) into got.
func subscribeUplinks(ctx context.Context, url string, got *atomic.Uint64) (*mqttclient.Client, error) {
	c, err := mqttclient.Connect(ctx, mqttclient.Options{Broker: url, ClientID: "bench-hotspot-sub", Logger: logger("mqtt")})
	if err != nil {
		return nil, err
	}
	if err := c.Subscribe(ctx, hotspot.UplinkFilter, 1, func(string, []byte) { got.Add(1) }); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// hotspotRSS measures the hotspotd binary's peak RSS at 1,000 uplinks/s
// and prints the firmware binaries' sizes.
func hotspotRSS(ctx context.Context, _ *config, out io.Writer) error {
	dir, err := os.MkdirTemp("", "hexnet-bench-hotspotd-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bins, err := buildFirmware(ctx, dir)
	if err != nil {
		return err
	}
	native, ok := bins[runtime.GOARCH]
	if !ok {
		native = filepath.Join(dir, "hotspotd-native")
		if err := buildHotspotd(ctx, native, runtime.GOARCH); err != nil {
			return err
		}
	}
	peak, err := runHotspotdRSS(ctx, native, dir)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, line(figHotspotRSS, "MB", "%.1f", peak, goalHotspotRSSMB))
	progress("%s: goal < %d MB at %d uplinks/s: %s", figHotspotRSS, goalHotspotRSSMB, rssLoad, met(peak < goalHotspotRSSMB))
	return nil
}

// buildFirmware cross-compiles hotspotd for every gateway architecture as
// make firmware does and prints the sizes; it returns the paths by GOARCH.
func buildFirmware(ctx context.Context, dir string) (map[string]string, error) {
	bins := map[string]string{}
	for _, arch := range firmwareTargets {
		path := filepath.Join(dir, "hotspotd-linux-"+arch)
		if err := buildHotspotd(ctx, path, arch); err != nil {
			return nil, err
		}
		fi, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		mb := float64(fi.Size()) / 1e6
		progress("hotspotd binary linux/%-6s %6.2f MB (%d bytes; goal < %d MB: %s)", arch, mb, fi.Size(), goalBinaryMB, met(mb < goalBinaryMB))
		bins[arch] = path
	}
	return bins, nil
}

// buildHotspotd builds cmd/hotspotd for linux/arch with make firmware's settings.
func buildHotspotd(ctx context.Context, out, arch string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", "-s -w", "-o", out, "github.com/hexnet/hexnet/cmd/hotspotd")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch, "GOARM=7", "GOMIPS=softfloat")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("build hotspotd for linux/%s: %w", arch, err)
	}
	return nil
}

// runHotspotdRSS runs the binary with a durable queue against an embedded
// broker, feeds it rssLoad uplinks/s for rssFor and returns its peak VmRSS
// in MB (10^6 bytes).
func runHotspotdRSS(ctx context.Context, bin, dir string) (float64, error) {
	brk, err := broker.Start(broker.Options{Listen: "127.0.0.1:0", Logger: logger("broker", slog.LevelError)})
	if err != nil {
		return 0, err
	}
	defer brk.Close()
	var got atomic.Uint64
	sub, err := subscribeUplinks(ctx, brk.URL(), &got)
	if err != nil {
		return 0, err
	}
	defer sub.Close()
	key, err := identity.Generate()
	if err != nil {
		return 0, err
	}
	keyPath := filepath.Join(dir, "hotspot.key")
	if err := key.Save(keyPath); err != nil {
		return 0, err
	}
	gwmpAddr, err := freeUDP()
	if err != nil {
		return 0, err
	}
	cmd := exec.Command(bin, "--key", keyPath, "--gwmp-listen", gwmpAddr, "--mqtt", brk.URL(),
		"--queue-dir", filepath.Join(dir, "queue"), "--metrics-listen", "", "--status-listen", "", "--log-level", "warn")
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		cmd.Process.Kill()
		<-exited
	}()

	addr, err := net.ResolveUDPAddr("udp", gwmpAddr)
	if err != nil {
		return 0, err
	}
	if err := waitGWMP(ctx, addr, exited); err != nil {
		return 0, err
	}
	idle, err := vmRSS(cmd.Process.Pid)
	if err != nil {
		return 0, err
	}
	progress("%s: hotspotd (GOMAXPROCS=1, queue on) idle at %.1f MB; feeding %d uplinks/s for %s", figHotspotRSS, idle, rssLoad, rssFor)

	var sent atomic.Uint64
	s, err := newSender(0, addr, func() uint64 { return got.Load() })
	if err != nil {
		return 0, err
	}
	acks := make(chan struct{})
	go func() { s.readAcks(); close(acks) }()
	defer func() { s.conn.Close(); <-acks }()
	feedErr := make(chan error, 1)
	feedCtx, stopFeed := context.WithCancel(ctx)
	defer stopFeed()
	go func() {
		phy := make([]byte, phySize)
		start := time.Now()
		for k := uint64(0); ; k++ {
			if k >= uint64(rssLoad*rssFor.Seconds()) {
				feedErr <- nil
				return
			}
			due := start.Add(time.Duration(float64(k) / rssLoad * float64(time.Second)))
			if err := sleep(feedCtx, time.Until(due)); err != nil {
				feedErr <- err
				return
			}
			uplinkPHY(phy, k)
			if err := s.send(feedCtx, phy); err != nil {
				feedErr <- err
				return
			}
			sent.Add(1)
		}
	}()

	peak := idle
	tick := time.NewTicker(rssSample)
	defer tick.Stop()
	fed := false
	for !fed {
		select {
		case err := <-feedErr:
			if err != nil {
				return 0, fmt.Errorf("feeding hotspotd: %w", err)
			}
			fed = true
		case err := <-exited:
			return 0, fmt.Errorf("hotspotd exited under load: %v", err)
		case <-tick.C:
		}
		rss, err := vmRSS(cmd.Process.Pid)
		if err != nil {
			return 0, err
		}
		peak = max(peak, rss)
	}
	deadline := time.Now().Add(hotspotDrain)
	for got.Load() < sent.Load() && time.Now().Before(deadline) {
		if err := sleep(ctx, 10*time.Millisecond); err != nil {
			return 0, err
		}
	}
	if n, want := got.Load(), sent.Load(); n != want || s.acksMissing.Load() > 0 {
		return 0, fmt.Errorf("losses: %d of %d uplinks reached the subscriber, %d PUSH_DATA unacknowledged", n, want, s.acksMissing.Load())
	}
	progress("%s: %d uplinks sent, all arrived; peak RSS %.1f MB", figHotspotRSS, sent.Load(), peak)
	return peak, nil
}

// waitGWMP sends PULL_DATA until hotspotd answers (it serves GWMP once it
// has subscribed), or it exits, or 10 s pass.
func waitGWMP(ctx context.Context, addr *net.UDPAddr, exited <-chan error) error {
	conn, err := net.DialUDP("udp", nil, addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	pull, err := gwmp.Encode(&gwmp.Packet{Version: gwmp.Version2, Token: 1, Type: gwmp.PullData, GatewayEUI: [8]byte{0xb8, 0x27}})
	if err != nil {
		return err
	}
	buf := make([]byte, 512)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		select {
		case err := <-exited:
			return fmt.Errorf("hotspotd exited at start-up: %v", err)
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if _, err := conn.Write(pull); err != nil {
			return err
		}
		conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		if n, err := conn.Read(buf); err == nil && n >= gwmp.HeaderSize && gwmp.Type(buf[3]) == gwmp.PullAck {
			return nil
		}
	}
	return errors.New("hotspotd did not answer PULL_DATA within 10 s")
}

// vmRSS reads a process's resident set size in MB (10^6 bytes).
func vmRSS(pid int) (float64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("RSS needs Linux /proc: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			if err != nil {
				return 0, fmt.Errorf("VmRSS %q: %w", v, err)
			}
			return kb * 1024 / 1e6, nil
		}
	}
	return 0, errors.New("no VmRSS in /proc status")
}

// freeUDP returns a loopback UDP address nobody listens on right now.
func freeUDP() (string, error) {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer c.Close()
	return c.LocalAddr().String(), nil
}
