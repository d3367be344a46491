//go:build !unix

package localnet

// lockDir does not lock where flock is unavailable: run make localnet-deps
// before tests there.
func lockDir(string) (func(), error) { return func() {}, nil }
