package router

import (
	"context"
	"errors"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/store"
)

// JoinHistory summarises the join requests a device has had accepted: how
// many DevNonces it used and the highest of them. LoRaWAN 1.0.4 and 1.1
// devices count DevNonce up from 0, so a nonce below MaxDevNonce is a
// replay; the router's JoinNonce for those versions is Joins+1, a per-device
// counter that grows with every accepted join (DevNonce, 16 bits, runs out
// long before JoinNonce, 24 bits).
type JoinHistory struct {
	Joins       int
	MaxDevNonce lorawan.DevNonce
}

// claimDevNonce applies the device's DevNonce rules, records the nonce and
// returns the JoinNonce to answer with; false means the frame was dropped.
// 1.0.0–1.0.3 nonces are random: only reuse is refused, and the JoinNonce
// is random. 1.0.4 and 1.1 nonces must increase and the JoinNonce counts.
func (r *Router) claimDevNonce(ctx context.Context, j job, dev Device, p macProfile, nonce lorawan.DevNonce) (lorawan.JoinNonce, bool) {
	jn, ok := r.nextJoinNonce(ctx, j, dev, p, nonce)
	if !ok {
		return 0, false
	}
	if err := r.store.UseDevNonce(ctx, dev.DevEUI, nonce); err != nil {
		if errors.Is(err, store.ErrConflict) {
			r.drop(dropDevNonceReused, "dev_eui", dev.DevEUI, "dev_nonce", nonce, "dedup_id", j.frame.ID)
		} else {
			r.storeFailed("use_dev_nonce", err, j)
		}
		return 0, false
	}
	return jn, true
}

// nextJoinNonce checks a counter DevNonce against the device's history and
// picks the JoinNonce. A nonce equal to the highest used is left for
// UseDevNonce to refuse as reused.
func (r *Router) nextJoinNonce(ctx context.Context, j job, dev Device, p macProfile, nonce lorawan.DevNonce) (lorawan.JoinNonce, bool) {
	if !p.counters {
		jn, err := randomJoinNonce()
		if err != nil {
			r.log.Error("draw JoinNonce", "dev_eui", dev.DevEUI, "err", err)
			return 0, false
		}
		return jn, true
	}
	h, err := r.store.JoinHistory(ctx, dev.DevEUI)
	if err != nil {
		r.storeFailed("join_history", err, j)
		return 0, false
	}
	if h.Joins > 0 && nonce < h.MaxDevNonce {
		r.drop(dropDevNonceNotIncreasing, "dev_eui", dev.DevEUI, "dev_nonce", nonce, "highest", h.MaxDevNonce, "dedup_id", j.frame.ID)
		return 0, false
	}
	return lorawan.JoinNonce(h.Joins + 1), true
}

// dropDevNonceNotIncreasing: a 1.0.4 or 1.1 join request whose DevNonce is
// below one the device used before.
const dropDevNonceNotIncreasing = "devnonce_not_increasing"
