package storetest

import (
	"testing"
	"time"

	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/store"
)

func rewardTxOf(epoch uint64, idx int, entries ...identity.Address) oracle.RewardTx {
	return oracle.RewardTx{
		Epoch:                epoch,
		Index:                idx,
		Signature:            "5VERv8NMvzbJMEkV8xnrLkEaWRtSz9CosKDYjCJjBRnbJLgp8uirBgmQpjKhoR4tjF3ZpRzrFmBV6UjKdiSZkQUW",
		Raw:                  []byte{0x01, byte(idx), 0x00, 0xff},
		LastValidBlockHeight: 1_000 + uint64(idx),
		Entries:              entries,
		Status:               oracle.TxSigned,
		UpdatedAt:            at.Add(time.Duration(idx) * time.Second),
	}
}

func checkRewardTxs(t *testing.T, s oracle.Store, epoch uint64, want ...oracle.RewardTx) {
	t.Helper()
	got, err := s.RewardTxsOfEpoch(t.Context(), epoch)
	if err != nil {
		t.Fatalf("RewardTxsOfEpoch(%d): %v", epoch, err)
	}
	if diff := diff(want, got); diff != "" {
		t.Errorf("RewardTxsOfEpoch(%d) (-want +got):\n%s", epoch, diff)
	}
}

func mustSaveTx(t *testing.T, s oracle.Store, txs ...oracle.RewardTx) {
	t.Helper()
	for _, tx := range txs {
		if err := s.SaveRewardTx(t.Context(), tx); err != nil {
			t.Fatalf("SaveRewardTx(%d/%d): %v", tx.Epoch, tx.Index, err)
		}
	}
}

// testRewardTxs: inserted in any order, listed by index; a save at an
// existing index replaces every field.
func testRewardTxs(t *testing.T, s oracle.Store) {
	h1, h2, h3 := hotspot(t, 1), hotspot(t, 2), hotspot(t, 3)
	mustOpen(t, s, epochOf(1), epochOf(2))
	mustClose(t, s, closed(epochOf(1), 1), nil, nil)
	mustClose(t, s, closed(epochOf(2), 2), nil, nil)
	tx0, tx1, tx2 := rewardTxOf(1, 0, h1, h2), rewardTxOf(1, 1, h3), rewardTxOf(1, 2)
	other := rewardTxOf(2, 0, h1)
	mustSaveTx(t, s, tx2, tx0, other, tx1)
	checkRewardTxs(t, s, 1, tx0, tx1, tx2)
	tx0.Attempt, tx0.Signature, tx0.Raw = 1, "2nd", []byte{9}
	tx0.LastValidBlockHeight, tx0.Status, tx0.Err = 2_000, oracle.TxFailed, "custom program error: 0x1"
	tx0.Entries, tx0.UpdatedAt = []identity.Address{h2}, at.Add(time.Hour)
	mustSaveTx(t, s, tx0)
	checkRewardTxs(t, s, 1, tx0, tx1, tx2)
	checkRewardTxs(t, s, 2, other)
	checkRewardTxs(t, s, 3)
}

// testRewardTxEpochState: transactions need a stored epoch whose manifest
// is fixed (closed or paid).
func testRewardTxEpochState(t *testing.T, s oracle.Store) {
	mustOpen(t, s, epochOf(1))
	tests := []struct {
		name string
		do   func() error
		tx   oracle.RewardTx
		want error
	}{
		{"missing epoch", nil, rewardTxOf(9, 0), store.ErrNotFound},
		{"open epoch", nil, rewardTxOf(1, 0), store.ErrConflict},
		{"closed epoch", func() error { return s.CloseEpoch(t.Context(), closed(epochOf(1), 1), nil, nil) }, rewardTxOf(1, 0), nil},
		{"paid epoch", func() error { return s.MarkPaid(t.Context(), 1) }, rewardTxOf(1, 1), nil},
	}
	var saved []oracle.RewardTx
	for _, tt := range tests {
		if tt.do != nil {
			if err := tt.do(); err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
		}
		checkErr(t, tt.name+": SaveRewardTx", s.SaveRewardTx(t.Context(), tt.tx), tt.want)
		if tt.want == nil {
			saved = append(saved, tt.tx)
		}
	}
	checkRewardTxs(t, s, 1, saved...)
}
