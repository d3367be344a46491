package api

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
)

// ErrTokenFileMode reports an admin token file that others can read.
var ErrTokenFileMode = errors.New("admin token file is readable by others")

// minAdminTokenLen is the shortest admin token accepted: 128 bits as hex.
const minAdminTokenLen = 32

// howToMakeToken tells the operator how to write a token file.
const howToMakeToken = "create one with: (umask 077; hexnet apikey new > FILE) or (umask 077; openssl rand -hex 32 > FILE)"

// LoadAdminTokens reads the admin tokens of the management API from a
// file: one token per line; blank lines and lines starting with # are
// skipped. Several tokens let an operator rotate them without downtime.
// Like key files, it must not be readable by group or others (mode 0600).
func LoadAdminTokens(path string) ([]string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("admin token file: %w (%s)", err, howToMakeToken)
	}
	if mode := info.Mode().Perm(); mode&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %04o; run chmod 600 %s", ErrTokenFileMode, path, mode, path)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read admin token file: %w", err)
	}
	tokens, err := parseAdminTokens(raw)
	if err != nil {
		return nil, fmt.Errorf("admin token file %s: %w", path, err)
	}
	return tokens, nil
}

// parseAdminTokens reads the tokens of a token file.
func parseAdminTokens(raw []byte) ([]string, error) {
	var tokens []string
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := checkAdminToken(line); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		tokens = append(tokens, line)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(tokens) == 0 {
		return nil, fmt.Errorf("no token in the file; %s", howToMakeToken)
	}
	return tokens, nil
}

// checkAdminToken says what is wrong with an admin token, or nil.
func checkAdminToken(t string) error {
	switch {
	case len(t) < minAdminTokenLen:
		return fmt.Errorf("a token of %d characters is too short (want at least %d); %s", len(t), minAdminTokenLen, howToMakeToken)
	case len(t) > maxTokenLen:
		return fmt.Errorf("a token of %d characters is too long (at most %d)", len(t), maxTokenLen)
	case !isToken68(t):
		return errors.New("a token has characters an HTTP bearer token cannot have (want letters, digits, - . _ ~ + / and trailing =)")
	case strings.HasPrefix(t, orgKeyPrefix):
		return fmt.Errorf("a token starts with %q, the prefix of organisation API keys; use a random admin token", orgKeyPrefix)
	}
	return nil
}
