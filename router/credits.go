package router

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hexnet/hexnet/router/dedup"
	"github.com/hexnet/hexnet/store"
)

// BytesPerDC is how many bytes of a frame one data credit pays for, per
// purchased copy (Helium's price): a copy costs ceil(max(bytes, 24) / 24) DC.
const BytesPerDC = 24

// DCPerCopy is the price of one copy of a frame of n bytes.
func DCPerCopy(n int) int64 {
	return int64((max(n, BytesPerDC) + BytesPerDC - 1) / BytesPerDC)
}

// ErrorCodeNoCredits is the code of the error event a device's application
// gets when a frame is dropped because its organisation's balance is gone.
const ErrorCodeNoCredits = "NO_CREDITS"

// Purchase is what charging one deduplicated frame decided.
type Purchase struct {
	Organisation string       // "" when the frame is unmetered
	Copies       []dedup.Copy // the copies bought, in arrival order
	DC           int64        // what they cost
	Balance      int64        // the organisation's balance afterwards
	Exhausted    bool         // the balance did not cover DC: nothing was bought
}

// PurchaseCopies picks the copies an organisation buys: the first
// MaxCopies to arrive of the first of its routes (by ID) that sends this
// device to the built-in network server; every copy when no such route
// exists or its MaxCopies is 0.
func PurchaseCopies(routes []Route, d Device, s Session, copies []dedup.Copy) []dedup.Copy {
	for _, rt := range routes {
		if rt.Destination == DestinationBuiltin && rt.Matches(s.DevAddr, d.JoinEUI, d.DevEUI) {
			return routeCopies(rt, copies)
		}
	}
	return copies
}

// routeCopies is what a route buys of a frame's copies: the first
// MaxCopies to arrive, or every copy when MaxCopies is 0.
func routeCopies(rt Route, copies []dedup.Copy) []dedup.Copy {
	if rt.MaxCopies > 0 && len(copies) > rt.MaxCopies {
		return copies[:rt.MaxCopies]
	}
	return copies
}

// Charge buys a data frame's copies for the organisation that owns the
// device's application and takes their price from its balance. A device
// whose application has no record is unmetered: every copy, no charge.
// Joins and downlinks are free and never come here.
func Charge(ctx context.Context, st Store, d Device, s Session, f dedup.Frame, at time.Time) (Purchase, error) {
	app, err := st.GetApplication(ctx, d.Application)
	if errors.Is(err, store.ErrNotFound) {
		return Purchase{Copies: f.Copies}, nil
	}
	if err != nil {
		return Purchase{}, err
	}
	routes, err := st.ListRoutes(ctx, app.Organisation)
	if err != nil {
		return Purchase{}, err
	}
	return buy(ctx, st, app.Organisation, f, PurchaseCopies(routes, d, s, f.Copies), at)
}

// ChargeRoute buys a data frame's copies for a route that forwards it to an
// external network server (DestinationGWMP): the route's copies (see
// Route.MaxCopies), paid by the route's organisation at Charge's price.
// Joins and downlinks are free and never come here.
func ChargeRoute(ctx context.Context, st Credits, rt Route, f dedup.Frame, at time.Time) (Purchase, error) {
	return buy(ctx, st, rt.Organisation, f, routeCopies(rt, f.Copies), at)
}

// buy takes the price of copies of frame f from the organisation's
// balance. A balance that does not cover it is left alone and the
// purchase is Exhausted, with no copies.
func buy(ctx context.Context, st Credits, organisation string, f dedup.Frame, copies []dedup.Copy, at time.Time) (Purchase, error) {
	p := Purchase{Organisation: organisation, Copies: copies, DC: int64(len(copies)) * DCPerCopy(len(f.PHYPayload))}
	var err error
	p.Balance, err = st.SpendCredits(ctx, organisation, p.DC, f.ID, at)
	if errors.Is(err, ErrNoCredits) {
		return Purchase{Organisation: organisation, DC: p.DC, Balance: p.Balance, Exhausted: true}, nil
	}
	return p, err
}

// charge is the pipeline's hook: it charges u's frame and keeps only the
// purchased copies on it (for the event, the downlink and the ledger).
// false means the frame is dropped: the balance is gone (the application
// gets an error event) or the store failed.
func (r *Router) charge(ctx context.Context, u *uplink) bool {
	p, err := Charge(ctx, r.store, u.dev, u.sess, u.frame, r.clock.Now())
	if err != nil {
		r.storeFailed("charge", err, u.job)
		return false
	}
	if p.Exhausted {
		r.drop(dropNoCredits, "dev_eui", u.dev.DevEUI, "organisation", p.Organisation, "dc", p.DC,
			"balance", p.Balance, "dedup_id", u.frame.ID)
		r.publishNoCredits(ctx, u, p)
		return false
	}
	u.frame.Copies = p.Copies
	return true
}

// creditErrorEvent is published on .../event/error; it has the shape of
// ChirpStack's LogEvent (level ERROR), like the downlink error events.
type creditErrorEvent struct {
	DeduplicationID string            `json:"deduplicationId"`
	Time            time.Time         `json:"time"`
	DeviceInfo      DeviceInfo        `json:"deviceInfo"`
	Level           string            `json:"level"`
	Code            string            `json:"code"`
	Description     string            `json:"description"`
	Context         map[string]string `json:"context,omitempty"`
}

// creditEventType is the error event's type (topic suffix and metric label).
const creditEventType = "error"

func (r *Router) publishNoCredits(ctx context.Context, u *uplink, p Purchase) {
	ev := creditErrorEvent{
		DeduplicationID: u.frame.ID.String(),
		Time:            r.clock.Now().UTC(),
		DeviceInfo:      deviceInfo(u.dev),
		Level:           "ERROR",
		Code:            ErrorCodeNoCredits,
		Description: fmt.Sprintf("uplink FCnt %d dropped: organisation %s has %d DC left and the frame costs %d DC; fund it (hexnet balance add)",
			u.fcnt, p.Organisation, p.Balance, p.DC),
		Context: map[string]string{"organisation": p.Organisation, "balance_dc": fmt.Sprint(p.Balance), "cost_dc": fmt.Sprint(p.DC)},
	}
	payload, err := marshalEvent(ev)
	if err != nil {
		r.log.Error("encode error event", "dev_eui", u.dev.DevEUI, "err", err)
		return
	}
	r.publish(ctx, creditEventType, eventTopic(u.dev, creditEventType), payload, u.job)
}
