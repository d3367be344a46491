package mosquitto

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestHashKnownVector(t *testing.T) {
	// Computed independently with Python's hashlib.pbkdf2_hmac("sha512",
	// b"correct horse", bytes(range(12)), 101).
	const want = "$7$101$AAECAwQFBgcICQoL$lp0Cm29zl+CI/RXyXDKvLye7OxM3OuE6RMzgXTX/f3imS/pFh2Ur7yarLDpKRUKpB0tOj6l0UrRv41zqxmD4tg=="
	salt := []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	got, err := Hash("correct horse", salt)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("Hash = %s\nwant   %s", got, want)
	}
}

func TestPasswordDerivation(t *testing.T) {
	secret := bytes.Repeat([]byte{7}, 32)
	p1, err := Password(secret, "router")
	if err != nil {
		t.Fatal(err)
	}
	p2, _ := Password(secret, "router")
	p3, _ := Password(secret, "oracle")
	other, _ := Password(bytes.Repeat([]byte{8}, 32), "router")
	if p1 != p2 || p1 == p3 || p1 == other || len(p1) != 43 || strings.ContainsAny(p1, ":\n") {
		t.Errorf("passwords %q %q %q %q: want stable, distinct per user and secret, 43 chars", p1, p2, p3, other)
	}
	if _, err := Password(secret[:31], "router"); !errors.Is(err, ErrShortSecret) {
		t.Errorf("short secret: %v, want ErrShortSecret", err)
	}
}
