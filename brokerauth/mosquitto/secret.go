package mosquitto

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// LoadSecret reads the operator's secret (base64, one line) from path.
// With create, a missing file is made with a new random secret, mode 0600;
// created says so.
func LoadSecret(path string, create bool) (secret []byte, created bool, err error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && create {
		return newSecret(path)
	}
	if err != nil {
		return nil, false, fmt.Errorf("read broker secret: %w", err)
	}
	secret, err = base64.StdEncoding.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil {
		return nil, false, fmt.Errorf("broker secret %s is not base64: %w", path, err)
	}
	if len(secret) < MinSecretSize {
		return nil, false, fmt.Errorf("broker secret %s: %w", path, ErrShortSecret)
	}
	return secret, false, nil
}

func newSecret(path string) ([]byte, bool, error) {
	secret := make([]byte, MinSecretSize)
	if _, err := rand.Read(secret); err != nil {
		return nil, false, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("create broker secret: %w", err)
	}
	_, err = fmt.Fprintln(f, base64.StdEncoding.EncodeToString(secret))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, false, fmt.Errorf("write broker secret %s: %w", path, err)
	}
	return secret, true, nil
}
