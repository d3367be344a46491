package payout

import (
	"bytes"
	"errors"
	"testing"
)

func TestMemoRoundTrip(t *testing.T) {
	m := Memo{Epoch: 12345, Root: bytes.Repeat([]byte{0xab}, 32), Index: 3, Count: 54}
	text := m.String()
	want := "hexnet epoch 12345 root " + string(bytes.Repeat([]byte("ab"), 32)) + " tx 3/54"
	if text != want {
		t.Fatalf("memo %q, want %q", text, want)
	}
	got, err := ParseMemo(text)
	if err != nil {
		t.Fatal(err)
	}
	if got.Epoch != m.Epoch || !bytes.Equal(got.Root, m.Root) || got.Index != 3 || got.Count != 54 {
		t.Errorf("parsed %+v, want %+v", got, m)
	}
}

func TestParseMemoRefusesOthers(t *testing.T) {
	for _, text := range []string{
		"", "hello", "hexnet epoch x root ab tx 0/1", "hexnet epoch 1 root zz tx 0/1",
		"hexnet epoch 1 root ab tx 0", "hexnet epoch 1 root ab", "other epoch 1 root ab tx 0/1",
	} {
		if _, err := ParseMemo(text); !errors.Is(err, ErrMemo) {
			t.Errorf("ParseMemo(%q) err = %v, want ErrMemo", text, err)
		}
	}
}
