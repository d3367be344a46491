package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/store"
	"github.com/hexnet/hexnet/store/internal/batch"
)

const roundColumns = `number, commitment, secret, public_mix, entropy, committed_at, revealed_at`

// SaveRound inserts a committed round or records its reveal. The update
// applies only while the commitment matches and the round is unrevealed
// (or revealed with exactly these values); otherwise store.ErrConflict.
func (s *Store) SaveRound(ctx context.Context, r oracle.Round) error {
	n, err := batch.Int64("round", r.Number)
	if err == nil {
		err = saveRound(ctx, s.pool, n, r)
	}
	if err != nil {
		return fmt.Errorf("save round %d: %w", r.Number, mapErr(err))
	}
	return nil
}

func saveRound(ctx context.Context, db DBTX, n int64, r oracle.Round) error {
	tag, err := db.Exec(ctx, `INSERT INTO rounds (`+roundColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (number) DO UPDATE SET
			secret = excluded.secret,
			public_mix = excluded.public_mix,
			entropy = excluded.entropy,
			revealed_at = excluded.revealed_at
		WHERE rounds.commitment = excluded.commitment AND rounds.committed_at = excluded.committed_at
			AND (rounds.revealed_at IS NULL OR (rounds.secret, rounds.public_mix, rounds.entropy, rounds.revealed_at)
				= (excluded.secret, excluded.public_mix, excluded.entropy, excluded.revealed_at))`,
		n, blob(r.Commitment), blob(r.Secret), blob(r.PublicMix), blob(r.Entropy), ts(r.CommittedAt), nullTS(r.RevealedAt))
	if err == nil && tag.RowsAffected() == 0 {
		err = fmt.Errorf("%w: round %d is stored with another commitment or reveal", store.ErrConflict, n)
	}
	return err
}

// GetRound returns a round; store.ErrNotFound if there is none.
func (s *Store) GetRound(ctx context.Context, n uint64) (oracle.Round, error) {
	r, err := oneRound(ctx, s.pool, `WHERE number = $1`, int64(n))
	if err != nil {
		return oracle.Round{}, fmt.Errorf("get round %d: %w", n, err)
	}
	return r, nil
}

// LatestRound returns the highest-numbered round; store.ErrNotFound if none.
func (s *Store) LatestRound(ctx context.Context) (oracle.Round, error) {
	r, err := oneRound(ctx, s.pool, `ORDER BY number DESC LIMIT 1`)
	if err != nil {
		return oracle.Round{}, fmt.Errorf("latest round: %w", err)
	}
	return r, nil
}

func oneRound(ctx context.Context, db DBTX, rest string, args ...any) (oracle.Round, error) {
	rows, _ := db.Query(ctx, `SELECT `+roundColumns+` FROM rounds `+rest, args...)
	row, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[roundRow])
	if err != nil {
		return oracle.Round{}, mapErr(err)
	}
	return row.round(), nil
}

// SaveChallenges stores challenges with one INSERT: all or none.
func (s *Store) SaveChallenges(ctx context.Context, cs []oracle.Challenge) error {
	if len(cs) == 0 {
		return nil
	}
	if err := saveChallenges(ctx, s.pool, cs); err != nil {
		return fmt.Errorf("save %d challenges: %w", len(cs), mapErr(err))
	}
	return nil
}

func saveChallenges(ctx context.Context, db DBTX, cs []oracle.Challenge) error {
	n := len(cs)
	rounds, challengees := make([]int64, n), make([]string, n)
	times, envelopes := make([]time.Time, n), make([][]byte, n)
	for i, c := range cs {
		round, err := batch.Int64("round", c.Round)
		if err != nil {
			return err
		}
		rounds[i], challengees[i], times[i], envelopes[i] = round, string(c.Challengee), ts(c.IssuedAt), blob(c.Envelope)
	}
	_, err := db.Exec(ctx, `INSERT INTO challenges (round, challengee, issued_at, envelope)
		SELECT * FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::bytea[])`,
		rounds, challengees, times, envelopes)
	return err
}

// ChallengesOfRound lists a round's challenges by challengee.
func (s *Store) ChallengesOfRound(ctx context.Context, n uint64) ([]oracle.Challenge, error) {
	rows, _ := s.pool.Query(ctx, `SELECT round, challengee, issued_at, envelope FROM challenges
		WHERE round = $1 ORDER BY challengee`, int64(n))
	cs, err := collectAs(rows, challengeRow.challenge)
	if err != nil {
		return nil, fmt.Errorf("challenges of round %d: %w", n, mapErr(err))
	}
	return cs, nil
}
