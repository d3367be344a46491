// Package testenv finds the real services tests run against (Mosquitto,
// PostgreSQL). On a development machine a missing service skips the test
// with a message saying how to start it; in CI (CI=true) it fails instead,
// so a broken CI environment never passes by skipping.
package testenv

import (
	"net"
	"os"
	"testing"
	"time"
)

// Addresses of the services on the development machine and in CI.
const (
	MosquittoAddr = "127.0.0.1:1883"
	PostgresAddr  = "127.0.0.1:5432"
	PostgresURL   = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
)

const dialTimeout = 2 * time.Second

// Mosquitto returns the URL of the machine's Mosquitto broker
// (tcp://127.0.0.1:1883), skipping or failing the test when it is down.
func Mosquitto(t testing.TB) string {
	t.Helper()
	require(t, "Mosquitto", MosquittoAddr, "start it with: mosquitto -d -c /etc/mosquitto/mosquitto.conf")
	return "tcp://" + MosquittoAddr
}

// Postgres returns the URL of the machine's PostgreSQL test database,
// skipping or failing the test when the server is down.
func Postgres(t testing.TB) string {
	t.Helper()
	require(t, "PostgreSQL", PostgresAddr,
		"start it (e.g. service postgresql start) and create the database: createdb -U postgres test")
	return PostgresURL
}

// InCI reports whether the tests run in CI, where missing services are fatal.
func InCI() bool {
	return os.Getenv("CI") == "true"
}

// require dials addr over TCP; when that fails it skips the test, or fails
// it in CI, with a message naming the service and how to start it.
func require(t testing.TB, name, addr, howto string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, dialTimeout)
	if err == nil {
		conn.Close()
		return
	}
	if InCI() {
		t.Fatalf("%s is not reachable at %s (%v); CI=true, so this is fatal: %s", name, addr, err, howto)
	}
	t.Skipf("%s is not reachable at %s (%v); %s", name, addr, err, howto)
}
