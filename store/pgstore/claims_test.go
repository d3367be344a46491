package pgstore_test

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/hexnet/hexnet/store/pgstore/pgtest"
)

func TestClaims(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s := pgtest.Open(t)
	cluster := "test-" + rand.Text()
	a, b, other := s.Claims(cluster), s.Claims(cluster), s.Claims(cluster+"-other")
	t.Cleanup(func() { a.Close(); b.Close(); other.Close() })

	if _, err := a.TryClaim(ctx, 1); err == nil {
		t.Error("TryClaim before Members (which connects) succeeded")
	}
	members(ctx, t, a, 1)
	members(ctx, t, b, 2)
	members(ctx, t, other, 1)
	claim(ctx, t, a, 3, true)
	claim(ctx, t, b, 3, false)
	claim(ctx, t, other, 3, true) // another cluster's partition 3
	claim(ctx, t, b, 4, true)

	if err := a.Release(ctx, 3); err != nil {
		t.Fatal(err)
	}
	if err := a.Release(ctx, 3); err == nil {
		t.Error("releasing a partition not held succeeded")
	}
	claim(ctx, t, b, 3, true)

	// An instance that goes away (its connection closes) leaves the
	// cluster and frees its partitions at once.
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	// The server ends b's session, and its locks, just after the close.
	for n, err := a.Members(ctx); n != 1; n, err = a.Members(ctx) {
		if err != nil || ctx.Err() != nil {
			t.Fatalf("Members after b closed = %d, %v", n, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	claim(ctx, t, a, 3, true)
	claim(ctx, t, a, 4, true)
}

func members(ctx context.Context, t *testing.T, c interface {
	Members(context.Context) (int, error)
}, want int) {
	t.Helper()
	n, err := c.Members(ctx)
	if err != nil || n != want {
		t.Fatalf("Members = %d, %v; want %d", n, err, want)
	}
}

func claim(ctx context.Context, t *testing.T, c interface {
	TryClaim(context.Context, int) (bool, error)
}, p int, want bool) {
	t.Helper()
	ok, err := c.TryClaim(ctx, p)
	if err != nil || ok != want {
		t.Fatalf("TryClaim(%d) = %v, %v; want %v", p, ok, err, want)
	}
}
