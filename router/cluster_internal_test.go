package router

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
)

// fakeLocks are advisory locks shared by the instances of a test cluster.
type fakeLocks struct {
	mu      sync.Mutex
	holder  map[int]*fakeClaims
	members map[*fakeClaims]bool
}

type fakeClaims struct {
	l    *fakeLocks
	down bool // the connection is gone: every call fails
}

func (l *fakeLocks) join() *fakeClaims {
	c := &fakeClaims{l: l}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.members[c] = true
	return c
}

// die drops c's connection: its claims and membership end.
func (c *fakeClaims) die() {
	c.l.mu.Lock()
	defer c.l.mu.Unlock()
	c.down = true
	delete(c.l.members, c)
	for p, h := range c.l.holder {
		if h == c {
			delete(c.l.holder, p)
		}
	}
}

func (c *fakeClaims) Members(context.Context) (int, error) {
	c.l.mu.Lock()
	defer c.l.mu.Unlock()
	if c.down {
		return 0, errors.New("connection lost")
	}
	return len(c.l.members), nil
}

func (c *fakeClaims) TryClaim(_ context.Context, p int) (bool, error) {
	c.l.mu.Lock()
	defer c.l.mu.Unlock()
	if c.down {
		return false, errors.New("connection lost")
	}
	if h, ok := c.l.holder[p]; ok && h != c {
		return false, nil
	}
	c.l.holder[p] = c
	return true, nil
}

func (c *fakeClaims) Release(_ context.Context, p int) error {
	c.l.mu.Lock()
	defer c.l.mu.Unlock()
	if c.l.holder[p] != c {
		return errors.New("not held")
	}
	delete(c.l.holder, p)
	return nil
}

// fakeSession records its subscriptions; open counts sessions per client
// id, which must never exceed one (the broker would kick the older).
type fakeSession struct {
	open   map[string]int
	mu     *sync.Mutex
	id     string
	topics []string
}

func (s *fakeSession) Subscribe(_ context.Context, topic string, _ byte, _ func(string, []byte)) error {
	s.topics = append(s.topics, topic)
	return nil
}

func (s *fakeSession) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.open[s.id]--
}

func TestClusterRebalance(t *testing.T) {
	ctx := context.Background()
	locks := &fakeLocks{holder: map[int]*fakeClaims{}, members: map[*fakeClaims]bool{}}
	var mu sync.Mutex
	open := map[string]int{}
	dial := func(_ context.Context, id string, _ func(string, []byte)) (PartitionSession, error) {
		mu.Lock()
		defer mu.Unlock()
		open[id]++
		if open[id] > 1 {
			t.Errorf("two sessions of %s at once", id)
		}
		return &fakeSession{open: open, mu: &mu, id: id}, nil
	}
	instance := func() (*clusterRun, *fakeClaims) {
		c := locks.join()
		cr, err := newClusterRun(Cluster{Claims: c, Dial: dial, Name: "t", Partitions: 16}, func(string, []byte) {}, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		return cr, c
	}
	a, _ := instance()
	a.rebalance(ctx)
	if len(a.held) != 16 {
		t.Fatalf("alone: holds %d of 16", len(a.held))
	}
	if s := a.held[3].(*fakeSession); len(s.topics) != 4 || s.topics[0] != "hexnet/up/3/+" || s.topics[3] != "hexnet/up/51/+" {
		t.Errorf("partition 3 subscribes to %v", s.topics)
	}
	b, bc := instance()
	b.rebalance(ctx) // nothing free yet
	a.rebalance(ctx) // hands 8 back
	b.rebalance(ctx)
	if len(a.held) != 8 || len(b.held) != 8 {
		t.Fatalf("two instances hold %d and %d", len(a.held), len(b.held))
	}
	for p := range a.held {
		if b.held[p] != nil {
			t.Errorf("partition %d held twice", p)
		}
	}
	if !a.ownsShard(a.heldPartitions()[0]+16) || a.ownsShard(b.heldPartitions()[0]) {
		t.Error("ownsShard disagrees with the partitions held")
	}

	bc.die()
	b.rebalance(ctx) // notices: stops consuming everything
	if len(b.held) != 0 {
		t.Errorf("after losing its claims, b still consumes %d partitions", len(b.held))
	}
	a.rebalance(ctx)
	if len(a.held) != 16 {
		t.Errorf("after b died, a holds %d of 16", len(a.held))
	}
	a.releaseDown(ctx, 0)
	mu.Lock()
	defer mu.Unlock()
	for id, n := range open {
		if n != 0 {
			t.Errorf("session %s left open (%d)", id, n)
		}
	}
	if len(locks.holder) != 0 {
		t.Errorf("claims left after shutdown: %v", locks.holder)
	}
}

func TestClusterPartitionsMustDivideShards(t *testing.T) {
	for _, n := range []int{3, 5, 128, -1} {
		if _, err := newClusterRun(Cluster{Claims: &fakeClaims{}, Dial: func(context.Context, string, func(string, []byte)) (PartitionSession, error) {
			return nil, nil
		}, Partitions: n}, nil, slog.New(slog.DiscardHandler)); err == nil {
			t.Errorf("%d partitions accepted", n)
		}
	}
}
