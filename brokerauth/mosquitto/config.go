package mosquitto

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/hexnet/hexnet/brokerauth"
	"github.com/hexnet/hexnet/identity"
)

// File names written into the output directory.
const (
	PasswordFileName = "passwords"
	ACLFileName      = "acl"
	ConfFileName     = "mosquitto.conf"
)

// ErrBadService reports a service account name Mosquitto or the policy
// cannot take.
var ErrBadService = errors.New("mosquitto: bad service name")

// Config is the policy to write.
type Config struct {
	Secret   []byte             // the operator's secret (MinSecretSize bytes or more)
	Hotspots []identity.Address // hotspots that get a password
	// Services (router, oracle, ...) get a password and full access.
	Services []string
	// AnonymousRead lists topic prefixes (e.g. "hexnet/app/") clients
	// without credentials may read.
	AnonymousRead []string
	Listen        string // HOST:PORT of the listener; empty host means every interface
}

var serviceName = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// Check reports the first thing wrong with c.
func (c *Config) Check() error {
	if len(c.Secret) < MinSecretSize {
		return ErrShortSecret
	}
	for _, s := range c.Services {
		if !serviceName.MatchString(s) || identity.Address(s).Valid() {
			return fmt.Errorf("%w %q: use letters, digits, '.', '_' or '-', and not a hotspot address", ErrBadService, s)
		}
	}
	for _, h := range c.Hotspots {
		if !h.Valid() {
			return fmt.Errorf("mosquitto: hotspot %q: %w", h, identity.ErrBadAddress)
		}
	}
	for _, p := range c.AnonymousRead {
		if p == "" || !strings.HasSuffix(p, "/") || strings.ContainsAny(p, "+#") {
			return fmt.Errorf("mosquitto: anonymous read prefix %q: want a topic prefix ending in '/', no wildcards", p)
		}
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fmt.Errorf("mosquitto: listen address %q: %w", c.Listen, err)
	}
	return nil
}

// users lists every account, services first, each once.
func (c *Config) users() []string {
	users := slices.Clone(c.Services)
	for _, h := range c.Hotspots {
		users = append(users, string(h))
	}
	slices.Sort(users[len(c.Services):])
	return slices.Compact(users)
}

// PasswordFile returns the password file: one "user:$7$..." line per
// account, salts drawn from random.
func PasswordFile(c *Config, random io.Reader) ([]byte, error) {
	var b bytes.Buffer
	for _, u := range c.users() {
		pw, err := Password(c.Secret, u)
		if err != nil {
			return nil, err
		}
		salt := make([]byte, saltSize)
		if _, err := io.ReadFull(random, salt); err != nil {
			return nil, fmt.Errorf("mosquitto: salt: %w", err)
		}
		h, err := Hash(pw, salt)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "%s:%s\n", u, h)
	}
	return b.Bytes(), nil
}

// ACL returns the ACL file. Topics before the first "user" line apply to
// anonymous clients; "pattern" lines apply to every authenticated client
// with %u replaced by its username, i.e. a hotspot's address.
func ACL(c *Config) []byte {
	var b bytes.Buffer
	b.WriteString("# hexnet broker policy, written by hexnet broker mosquitto-config; regenerate rather than edit.\n\n")
	b.WriteString("# Anonymous clients: read-only.\n")
	for _, p := range c.AnonymousRead {
		fmt.Fprintf(&b, "topic read %s#\n", p)
	}
	b.WriteString("\n# Services: everything.\n")
	for _, s := range c.Services {
		fmt.Fprintf(&b, "user %s\ntopic readwrite #\n", s)
	}
	b.WriteString("\n# Hotspots (username = address): publish only under their own id, read only their own commands.\n")
	fmt.Fprintf(&b, "pattern write %s+/%%u\n", brokerauth.UplinkPrefix)
	for _, leaf := range brokerauth.PublishLeaves {
		fmt.Fprintf(&b, "pattern write %s%%u/%s\n", brokerauth.TopicPrefix, leaf)
	}
	for _, leaf := range brokerauth.SubscribeLeaves {
		fmt.Fprintf(&b, "pattern read %s%%u/%s\n", brokerauth.TopicPrefix, leaf)
	}
	return b.Bytes()
}

// Conf returns a mosquitto.conf whose password and ACL files lie in dir.
func Conf(c *Config, dir string) []byte {
	host, port, _ := net.SplitHostPort(c.Listen)
	var b bytes.Buffer
	b.WriteString("# hexnet broker policy for Mosquitto 2.x, written by hexnet broker mosquitto-config.\n")
	b.WriteString("# Include it from the main configuration or run mosquitto -c with it.\n")
	fmt.Fprintf(&b, "listener %s %s\n", port, host)
	fmt.Fprintf(&b, "allow_anonymous %t\n", len(c.AnonymousRead) > 0)
	fmt.Fprintf(&b, "password_file %s\n", filepath.Join(dir, PasswordFileName))
	fmt.Fprintf(&b, "acl_file %s\n", filepath.Join(dir, ACLFileName))
	return bytes.ReplaceAll(b.Bytes(), []byte(" \n"), []byte("\n"))
}

// Write checks c and writes the three files into dir (created if missing):
// the password file with mode 0640 (readable by the mosquitto group), the
// others 0644. Each file is replaced atomically, so a running Mosquitto
// reloading on SIGHUP never reads half a file.
func Write(c *Config, dir string) error {
	if err := c.Check(); err != nil {
		return err
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	pw, err := PasswordFile(c, rand.Reader)
	if err != nil {
		return err
	}
	files := []struct {
		name string
		data []byte
		mode os.FileMode
	}{
		{PasswordFileName, pw, 0o640},
		{ACLFileName, ACL(c), 0o644},
		{ConfFileName, Conf(c, dir), 0o644},
	}
	for _, f := range files {
		if err := writeAtomic(filepath.Join(dir, f.name), f.data, f.mode); err != nil {
			return err
		}
	}
	return nil
}

func writeAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
