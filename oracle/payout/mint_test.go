package payout

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/gagliardetto/solana-go"
)

// mintData lays out an SPL mint account.
func mintData(authority *solana.PublicKey, decimals uint8, initialized bool) []byte {
	data := make([]byte, mintSize)
	if authority != nil {
		binary.LittleEndian.PutUint32(data[0:4], 1)
		copy(data[4:36], authority[:])
	}
	binary.LittleEndian.PutUint64(data[36:44], 12345)
	data[44] = decimals
	if initialized {
		data[45] = 1
	}
	return data
}

func TestCheckMintData(t *testing.T) {
	mint, auth, other := probeKey(1), probeKey(2), probeKey(3)
	for _, c := range []struct {
		name string
		data []byte
		ok   bool
	}{
		{"ours", mintData(&auth, 6, true), true},
		{"other authority", mintData(&other, 6, true), false},
		{"authority revoked", mintData(nil, 6, true), false},
		{"decimals", mintData(&auth, 9, true), false},
		{"uninitialised", mintData(&auth, 6, false), false},
		{"short", mintData(&auth, 6, true)[:40], false},
	} {
		err := checkMintData(mint, c.data, auth, 6)
		if c.ok != (err == nil) || (err != nil && !errors.Is(err, ErrMint)) {
			t.Errorf("%s: err = %v", c.name, err)
		}
	}
}

func TestMintAddressIsDeterministic(t *testing.T) {
	a, err := MintAddress(probeKey(1))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := MintAddress(probeKey(1))
	c, _ := MintAddress(probeKey(2))
	if a != b || a == c {
		t.Errorf("mint addresses %s, %s (same key), %s (other key)", a, b, c)
	}
}
