package gwmp

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPayload(t *testing.T) {
	max := bytes.Repeat([]byte{0xa5}, MaxPayload)
	for _, tc := range []struct {
		name string
		data string
		size uint16
		want []byte
		err  error
	}{
		{"padded", "AQID", 3, []byte{1, 2, 3}, nil},
		{"padded two", "AQI=", 2, []byte{1, 2}, nil},
		{"unpadded", "AQI", 2, []byte{1, 2}, nil},
		{"empty", "", 0, []byte{}, nil},
		{"max", base64.StdEncoding.EncodeToString(max), MaxPayload, max, nil},
		{"bad base64", "!!!!", 3, nil, ErrBadPayload},
		{"bad padding in middle", "AQ==AQ==", 2, nil, ErrBadPayload},
		{"size mismatch", "AQID", 4, nil, ErrSizeMismatch},
		{"oversize", base64.StdEncoding.EncodeToString(append(max, 1)), MaxPayload + 1, nil, ErrOversize},
		{"huge", strings.Repeat("A", 100000), 0, nil, ErrOversize},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := RXPK{Data: tc.data, Size: tc.size}
			got, err := r.Payload()
			if !errors.Is(err, tc.err) {
				t.Fatalf("Payload error = %v, want %v", err, tc.err)
			}
			if tc.err == nil && !cmp.Equal(got, tc.want) {
				t.Errorf("Payload = %x, want %x", got, tc.want)
			}
		})
	}
}

func TestSetPayload(t *testing.T) {
	var tx TXPK
	tx.SetPayload([]byte{0x60, 1, 2})
	got, err := tx.Payload()
	if err != nil || !cmp.Equal(got, []byte{0x60, 1, 2}) || tx.Size != 3 {
		t.Fatalf("SetPayload/Payload = %x, %v (size %d)", got, err, tx.Size)
	}
}

func TestFrequency(t *testing.T) {
	for _, hz := range []uint64{868100000, 868300000, 869525000, 902300000, 923200000, 433175000, 470300000} {
		if got := Hz(MHz(hz)); got != hz {
			t.Errorf("Hz(MHz(%d)) = %d", hz, got)
		}
	}
	if got := Hz(866.349812); got != 866349812 {
		t.Errorf("Hz(866.349812) = %d", got)
	}
	if got := Hz(-1); got != 0 {
		t.Errorf("Hz(-1) = %d, want 0", got)
	}
}
