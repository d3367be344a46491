package hotspot

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/hexnet/hexnet/hotspot/gwmp"
)

// TestTxAckFloodForUnknownTokens: a flood of TX_ACKs for tokens nobody
// issued is counted and changes nothing: the pending table keeps its one
// entry, which still resolves.
func TestTxAckFloodForUnknownTokens(t *testing.T) {
	r := newRig(t, nil)
	r.pull(gwmp.Version2)
	r.request(item(5_000_000))
	resp := r.only()
	const flood = 100_000
	raw := txAck(2, 0, `{"txpk_ack":{"error":"TOO_LATE"}}`)
	sent := 0
	for tok := 0; sent < flood; tok++ {
		if uint16(tok) == resp.Token {
			continue
		}
		binary.BigEndian.PutUint16(raw[1:3], uint16(tok))
		r.datagram(raw)
		sent++
	}
	if got := r.d.metrics.droppedCopy(); got[DropUnknownTxToken] != flood || len(got) != 1 {
		t.Errorf("drops %v, want %d %s only", got, flood, DropUnknownTxToken)
	}
	if n := len(r.d.pending.m); n != 1 || len(r.got) != 0 {
		t.Fatalf("after the flood: %d pending, %d answers; want the one downlink still pending", n, len(r.got))
	}
	r.datagram(txAck(2, resp.Token, ""))
	if got := r.result(); got.code != "NONE" {
		t.Errorf("answer %q, want NONE", got.code)
	}
}

// TestPullRespGarbage: malformed datagrams around the downlink path are
// counted by reason and never answer a pending downlink; one left without
// a valid TX_ACK is answered NO_TX_ACK when its time is up.
func TestPullRespGarbage(t *testing.T) {
	r := newRig(t, nil)
	r.pull(gwmp.Version2)
	r.request(item(5_000_000))
	tok := r.only().Token
	garbage := map[string][]byte{
		DropBadJSON:        txAck(2, tok, `{"txpk_ack":"TOO_LATE"}`),
		DropTooShort:       txAck(2, tok, "")[:11],
		DropUnexpectedType: {2, byte(tok >> 8), byte(tok), byte(gwmp.PullResp), '{', '"', 't', 'x', 'p', 'k', '"', ':', '{', '}', '}'},
		DropUnknownVersion: append([]byte{3}, txAck(2, tok, "")[1:]...),
	}
	for _, raw := range garbage {
		r.datagram(raw)
	}
	r.datagram([]byte{2, byte(tok >> 8), byte(tok), byte(gwmp.PullResp), 'x'}) // a PULL_RESP that is not JSON
	r.datagram(txAck(2, tok, `{"txpk_ack":{"error":`))                         // truncated JSON
	want := map[string]uint64{DropTooShort: 1, DropUnexpectedType: 1, DropUnknownVersion: 1, DropBadJSON: 3}
	got := r.d.metrics.droppedCopy()
	for reason, n := range want {
		if got[reason] != n {
			t.Errorf("drops %v, want %v", got, want)
			break
		}
	}
	if len(r.got) != 0 || len(r.d.pending.m) != 1 {
		t.Fatalf("garbage answered the downlink: %+v, %d pending", r.got, len(r.d.pending.m))
	}
	for _, pt := range r.d.pending.expire(r.now.Add(TxAckTimeout + time.Second)) {
		r.d.finish(pt.req, pt.item, ErrNoTxAck)
	}
	if got := r.result(); got.code != ErrNoTxAck {
		t.Errorf("answer %q, want %s", got.code, ErrNoTxAck)
	}
}

// TestSendFailedFreesToken: a PULL_RESP the socket refused leaves no
// pending entry behind.
func TestSendFailedFreesToken(t *testing.T) {
	r := newRig(t, nil)
	r.pull(gwmp.Version2)
	r.conn.fail = true
	r.request(item(5_000_000), rx2(6_000_000))
	if got := r.result(); got.code != ErrSendFailed || got.item != 0 {
		t.Errorf("answer %+v, want %s for item 0", got, ErrSendFailed)
	}
	if n := len(r.d.pending.m); n != 0 {
		t.Errorf("%d pending after a failed send, want 0", n)
	}
}

// TestPendingBounded: at most maxPending PULL_RESPs await a TX_ACK; the
// next downlink is answered BUSY instead of growing the table.
func TestPendingBounded(t *testing.T) {
	r := newRig(t, nil)
	r.pull(gwmp.Version2)
	for range maxPending {
		r.request(item(5_000_000))
	}
	r.conn.sent = nil
	r.request(item(5_000_000))
	if got := r.result(); got.code != ErrBusy {
		t.Errorf("answer %q, want %s", got.code, ErrBusy)
	}
	if n := len(r.d.pending.m); n != maxPending {
		t.Errorf("%d pending, want %d", n, maxPending)
	}
}
