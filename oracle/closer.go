package oracle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/store"
)

// Closer opens the current epoch and closes each epoch once its grace
// period has passed: judge, fix manifest, verdicts and root, never again.
type Closer struct {
	Judge *Judge
	Clock clock.Clock
	Log   *slog.Logger
	// OnClosed runs after an epoch closed (to pay it, to print it).
	OnClosed func(ctx context.Context, e Epoch, r Result)
}

// Run ticks every second until ctx ends.
func (c *Closer) Run(ctx context.Context) error {
	tick := func() {
		if err := c.Tick(ctx); err != nil && ctx.Err() == nil {
			c.Log.Error("epoch tick failed; retrying", "err", err)
		}
	}
	tick()
	clock.Every(ctx, time.Second, tick)
	return nil
}

// Tick opens the current epoch if needed and closes every due epoch.
func (c *Closer) Tick(ctx context.Context) error {
	now := c.Clock.Now()
	if err := c.open(ctx, c.Judge.Schedule.EpochOf(now)); err != nil {
		return err
	}
	epochs, err := c.Judge.Store.ListEpochs(ctx)
	if err != nil {
		return fmt.Errorf("list epochs: %w", err)
	}
	for _, e := range epochs {
		if e.Status == EpochOpen && !now.Before(c.Judge.Schedule.ClosesAt(e.Number)) {
			if err := c.close(ctx, e, now); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *Closer) open(ctx context.Context, n uint64) error {
	start, end := c.Judge.Schedule.Bounds(n)
	err := c.Judge.Store.OpenEpoch(ctx, Epoch{Number: n, Start: start, End: end, Status: EpochOpen})
	if err != nil && !errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("open epoch %d: %w", n, err)
	}
	return nil
}

func (c *Closer) close(ctx context.Context, e Epoch, now time.Time) error {
	r, err := c.Judge.Epoch(ctx, e.Number)
	if err != nil {
		return fmt.Errorf("judge epoch %d: %w", e.Number, err)
	}
	e.Status, e.Root, e.ClosedAt = EpochClosed, r.Root[:], now
	if err := c.Judge.Store.CloseEpoch(ctx, e, r.Manifest.Entries, r.Verdicts); err != nil {
		return fmt.Errorf("close epoch %d: %w", e.Number, err)
	}
	c.Log.Info("epoch closed", "epoch", e.Number, "reports", len(r.Verdicts), "hotspots_paid", len(r.Manifest.Entries),
		"root", fmt.Sprintf("%x", r.Root))
	if c.OnClosed != nil {
		c.OnClosed(ctx, e, r)
	}
	return nil
}
