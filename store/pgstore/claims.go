package pgstore

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sync"

	"github.com/jackc/pgx/v5"
)

// Claims are one router instance's claims on the uplink partitions of a
// cluster (router.Claims): session-level advisory locks held on a
// connection of their own, so they end the moment the instance or its
// connection dies. Each instance also holds a membership lock; counting
// those counts the live instances.
//
// Lock keys are (class, n): class is derived from the cluster name (one
// for partitions, one for members), n is the partition or a random
// instance id. Advisory locks are per database, not per schema: clusters
// sharing a database need distinct names.
type Claims struct {
	s       *Store
	cluster string
	class   int32 // partition locks (class, partition)
	members int32 // membership locks (members, id)

	mu   sync.Mutex
	conn *pgx.Conn // nil before the first use and after a failure
	id   int32     // this instance's membership key while conn is up
	lost bool      // conn failed with claims on it: tell the caller once
}

// Claims returns the claims of one instance of the named cluster. They
// connect on first use; Close releases them all.
func (s *Store) Claims(cluster string) *Claims {
	return &Claims{s: s, cluster: cluster, class: lockClass(cluster + "/partitions"), members: lockClass(cluster + "/members")}
}

// lockClass is a positive int32 naming one kind of lock of a cluster.
func lockClass(name string) int32 {
	h := fnv.New32a()
	h.Write([]byte("hexnet/router/" + name))
	return int32(h.Sum32() & 0x7fffffff)
}

// Members counts the cluster's live instances, connecting and joining
// first if need be. It fails once after the connection was lost, since the
// claims made on it are gone.
func (c *Claims) Members(ctx context.Context) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lost {
		c.lost = false
		return 0, errors.New("pgstore: the claims connection failed: every claim is gone")
	}
	if err := c.join(ctx); err != nil {
		return 0, err
	}
	var n int
	err := c.conn.QueryRow(ctx, `SELECT count(*) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND classid = $1::bigint::oid
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`, int64(c.members)).Scan(&n)
	if err != nil {
		c.fail(ctx)
		return 0, fmt.Errorf("pgstore: count the cluster's instances: %w", err)
	}
	return n, nil
}

// join opens the connection and takes a membership lock under a fresh id.
func (c *Claims) join(ctx context.Context) error {
	if c.conn != nil {
		return nil
	}
	pc, err := c.s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("pgstore: claims connection: %w", err)
	}
	conn := pc.Hijack() // ours alone: its locks live and die with it
	for range 10 {
		id := rand.Int32()
		var ok bool
		if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, $2)`, c.members, id).Scan(&ok); err != nil {
			_ = conn.Close(ctx)
			return fmt.Errorf("pgstore: join cluster %s: %w", c.cluster, err)
		}
		if ok {
			c.conn, c.id = conn, id
			return nil
		}
	}
	_ = conn.Close(ctx)
	return fmt.Errorf("pgstore: join cluster %s: no free instance id after 10 tries", c.cluster)
}

// TryClaim takes partition p if no instance holds it.
func (c *Claims) TryClaim(ctx context.Context, p int) (bool, error) {
	return c.lockCall(ctx, `SELECT pg_try_advisory_lock($1, $2)`, p)
}

// Release gives partition p back.
func (c *Claims) Release(ctx context.Context, p int) error {
	held, err := c.lockCall(ctx, `SELECT pg_advisory_unlock($1, $2)`, p)
	if err == nil && !held {
		err = fmt.Errorf("pgstore: release partition %d of cluster %s: it was not held", p, c.cluster)
	}
	return err
}

func (c *Claims) lockCall(ctx context.Context, query string, p int) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn == nil || c.lost {
		return false, errors.New("pgstore: claims are not connected (Members connects them)")
	}
	var ok bool
	if err := c.conn.QueryRow(ctx, query, c.class, int32(p)).Scan(&ok); err != nil {
		c.fail(ctx)
		return false, fmt.Errorf("pgstore: partition %d of cluster %s: %w", p, c.cluster, err)
	}
	return ok, nil
}

// fail drops the connection, and every lock on it, after an error: a
// connection in an unknown state must not keep claims the caller may think
// it lost, or lose claims the caller thinks it has without saying so.
func (c *Claims) fail(ctx context.Context) {
	_ = c.conn.Close(context.WithoutCancel(ctx))
	c.conn, c.lost = nil, true
}

// Close releases every claim and leaves the cluster.
func (c *Claims) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn == nil {
		return nil
	}
	err := c.conn.Close(context.Background())
	c.conn = nil
	return err
}
