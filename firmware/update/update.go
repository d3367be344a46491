package update

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hexnet/hexnet/identity"
)

// Defaults and limits.
const (
	DefaultInterval = 6 * time.Hour
	DefaultMaxSize  = 64 << 20 // bytes of one binary
	maxManifest     = 1 << 20
	maxSignature    = 1 << 10
	// ExitUpdated is hotspotd's exit status after it installed a new
	// binary; firmware/hotspotd.service restarts it on that status.
	ExitUpdated = 75
)

// ErrRestart is returned by Run once a new binary is in place: the process
// should exit (with ExitUpdated) so that its supervisor starts the new one.
var ErrRestart = errors.New("update: new binary installed; restart to run it")

// Options configure an Updater.
type Options struct {
	Source Source
	// Key is the release key's address (--update-key).
	Key identity.Address
	// Current is the running binary's version.
	Current string
	// Platform selects the artifact (default Platform()).
	Platform string
	// Executable is the file replaced by a new release (default the running
	// executable, symlinks resolved). Tests point it at a temporary file.
	Executable string
	// MaxSize bounds an artifact's size (default DefaultMaxSize).
	MaxSize int64
	// Interval between checks in Run (default DefaultInterval).
	Interval   time.Duration
	Logger     *slog.Logger
	Registerer prometheus.Registerer
}

// Updater checks a release source and installs newer signed releases.
type Updater struct {
	o      Options
	key    ed25519.PublicKey
	log    *slog.Logger
	checks *prometheus.CounterVec
}

// New checks the options.
func New(o Options) (*Updater, error) {
	if o.Source == nil {
		return nil, errors.New("update: no release source (Options.Source)")
	}
	key, err := o.Key.PublicKey()
	if err != nil {
		return nil, fmt.Errorf("update: release key: %w", err)
	}
	if err := withDefaults(&o); err != nil {
		return nil, err
	}
	u := &Updater{o: o, key: key, log: o.Logger.With("component", "update")}
	u.checks = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "hexnet", Subsystem: "update", Name: "checks_total",
		Help: "Release checks, by result: applied or the reason the release was refused.",
	}, []string{"result"})
	if o.Registerer != nil {
		if err := o.Registerer.Register(u.checks); err != nil {
			return nil, fmt.Errorf("register update metrics: %w", err)
		}
	}
	return u, nil
}

func withDefaults(o *Options) error {
	if o.Platform == "" {
		o.Platform = Platform()
	}
	if o.MaxSize <= 0 {
		o.MaxSize = DefaultMaxSize
	}
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Executable != "" {
		return nil
	}
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		return fmt.Errorf("update: locate the running executable: %w", err)
	}
	o.Executable = exe
	return nil
}

// Run checks at once and then every Interval until ctx ends (nil) or a
// release was installed (an error wrapping ErrRestart). Refusals are
// logged and counted, never fatal.
func (u *Updater) Run(ctx context.Context) error {
	t := time.NewTicker(u.o.Interval)
	defer t.Stop()
	for {
		if m, err := u.Check(ctx); err == nil {
			return fmt.Errorf("%w: %s replaced by %s", ErrRestart, u.o.Current, m.Version)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Check fetches the manifest and its signature, and installs the release
// if it is signed by the release key, newer than the running version and
// its binary for this platform matches size and sha256. It returns the
// installed manifest, or why nothing was installed.
func (u *Updater) Check(ctx context.Context) (*Manifest, error) {
	m, err := u.check(ctx)
	reason := Reason(err)
	u.checks.WithLabelValues(reason).Inc()
	switch {
	case err == nil:
		u.log.Info("update installed; restarting", "from", u.o.Current, "to", m.Version, "binary", u.o.Executable)
	case errors.Is(err, ErrUpToDate):
		u.log.Debug("no newer release", "version", u.o.Current, "source", u.o.Source.String())
	default:
		u.log.Warn("update refused", "reason", reason, "source", u.o.Source.String(), "err", err)
	}
	return m, err
}

func (u *Updater) check(ctx context.Context) (*Manifest, error) {
	m, err := u.manifest(ctx)
	if err != nil {
		return nil, err
	}
	a, err := u.artifact(m)
	if err != nil {
		return nil, err
	}
	if err := u.install(ctx, a); err != nil {
		return nil, err
	}
	return m, nil
}

// manifest fetches, verifies and parses the manifest, and requires it to
// be newer than the running version.
func (u *Updater) manifest(ctx context.Context) (*Manifest, error) {
	raw, err := readSmall(ctx, u.o.Source, ManifestFile, maxManifest)
	if err != nil {
		return nil, err
	}
	sig, err := readSmall(ctx, u.o.Source, SignatureFile, maxSignature)
	if err != nil {
		return nil, err
	}
	if err := VerifySignature(u.key, raw, sig); err != nil {
		return nil, err
	}
	m, err := ParseManifest(raw)
	if err != nil {
		return nil, err
	}
	return m, u.newer(m.Version)
}

// newer requires the release version to be above the running one.
func (u *Updater) newer(release string) error {
	cur, err := ParseVersion(u.o.Current)
	if err != nil {
		return fmt.Errorf("%w: %q", ErrUnversioned, u.o.Current)
	}
	rel, _ := ParseVersion(release) // ParseManifest checked it
	switch rel.Compare(cur) {
	case 0:
		return fmt.Errorf("%w: %s", ErrUpToDate, release)
	case -1:
		return fmt.Errorf("%w: release %s, running %s", ErrDowngrade, release, u.o.Current)
	}
	return nil
}

// artifact picks this platform's binary and checks its announced size.
func (u *Updater) artifact(m *Manifest) (Artifact, error) {
	a, ok := m.Artifacts[u.o.Platform]
	if !ok {
		return Artifact{}, fmt.Errorf("%w: %s in release %s", ErrNoArtifact, u.o.Platform, m.Version)
	}
	if a.Size > u.o.MaxSize {
		return Artifact{}, fmt.Errorf("%w: %s is %d bytes, limit %d", ErrOversize, a.URL, a.Size, u.o.MaxSize)
	}
	return a, nil
}

// install downloads the artifact next to the executable, checks size and
// sha256, syncs it and renames it over the executable.
func (u *Updater) install(ctx context.Context, a Artifact) (err error) {
	exe := u.o.Executable
	tmp, err := os.CreateTemp(filepath.Dir(exe), "."+filepath.Base(exe)+".update-*")
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInstall, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := u.download(ctx, a, tmp); err != nil {
		return err
	}
	if err := finish(tmp, exe); err != nil {
		return fmt.Errorf("%w: %v", ErrInstall, err)
	}
	return nil
}

// download writes the artifact to w, checking its size and hash.
func (u *Updater) download(ctx context.Context, a Artifact, w io.Writer) error {
	r, err := u.o.Source.Open(ctx, a.URL)
	if err != nil {
		return err
	}
	defer r.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), io.LimitReader(r, a.Size+1))
	if err != nil {
		return fmt.Errorf("%w: download %s: %v", ErrFetch, a.URL, err)
	}
	if n != a.Size {
		return fmt.Errorf("%w: %s: got %d bytes (reading stops one past the size), manifest says %d", ErrSizeMismatch, a.URL, n, a.Size)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != a.SHA256 {
		return fmt.Errorf("%w: %s has sha256 %s, manifest says %s", ErrHashMismatch, a.URL, got, a.SHA256)
	}
	return nil
}

// finish gives the new binary the executable's mode, syncs it, renames it
// over the executable and syncs the directory.
func finish(tmp *os.File, exe string) error {
	mode := os.FileMode(0o755)
	if info, err := os.Stat(exe); err == nil {
		mode = info.Mode().Perm()
	}
	if err := tmp.Chmod(mode); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), exe); err != nil {
		return err
	}
	dir, err := os.Open(filepath.Dir(exe))
	if err != nil {
		return err
	}
	defer dir.Close()
	return dir.Sync()
}
