//go:build !unix

package queue

import (
	"fmt"
	"os"
)

// lockDir only creates dir/LOCK: there is no advisory locking here.
func lockDir(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("queue: open lock file: %w", err)
	}
	return f, nil
}
