package sqlitestore

import (
	"context"
	"errors"
	"fmt"

	"github.com/hexnet/hexnet/oracle"
	"github.com/hexnet/hexnet/store"
	"github.com/hexnet/hexnet/store/internal/batch"
)

// SaveRound inserts a committed round or records its reveal. The update
// applies only while the commitment matches and the round is unrevealed
// (or revealed with exactly these values); otherwise store.ErrConflict.
func (s *Store) SaveRound(ctx context.Context, r oracle.Round) error {
	n, err := batch.Int64("round", r.Number)
	if err == nil {
		err = s.saveRound(ctx, n, r)
	}
	if err != nil {
		return fmt.Errorf("save round %d: %w", r.Number, mapErr(err))
	}
	return nil
}

func (s *Store) saveRound(ctx context.Context, n int64, r oracle.Round) error {
	res, err := s.write.ExecContext(ctx, `INSERT INTO rounds (`+roundColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (number) DO UPDATE SET
			secret = excluded.secret,
			public_mix = excluded.public_mix,
			entropy = excluded.entropy,
			revealed_at = excluded.revealed_at
		WHERE rounds.commitment = excluded.commitment AND rounds.committed_at = excluded.committed_at
			AND (rounds.revealed_at IS NULL OR (rounds.secret, rounds.public_mix, rounds.entropy, rounds.revealed_at)
				= (excluded.secret, excluded.public_mix, excluded.entropy, excluded.revealed_at))`,
		n, blob(r.Commitment), blob(r.Secret), blob(r.PublicMix), blob(r.Entropy), micros(r.CommittedAt), nullMicros(r.RevealedAt))
	if err != nil {
		return err
	}
	if m, err := res.RowsAffected(); err != nil || m > 0 {
		return err
	}
	return fmt.Errorf("%w: round %d is stored with another commitment or reveal", store.ErrConflict, n)
}

// GetRound returns a round; store.ErrNotFound if there is none.
func (s *Store) GetRound(ctx context.Context, n uint64) (oracle.Round, error) {
	row := s.read.QueryRowContext(ctx, `SELECT `+roundColumns+` FROM rounds WHERE number = ?`, int64(n))
	r, err := scanRound(row)
	if err != nil {
		return oracle.Round{}, fmt.Errorf("get round %d: %w", n, mapErr(err))
	}
	return r, nil
}

// LatestRound returns the highest-numbered round; store.ErrNotFound if none.
func (s *Store) LatestRound(ctx context.Context) (oracle.Round, error) {
	row := s.read.QueryRowContext(ctx, `SELECT `+roundColumns+` FROM rounds ORDER BY number DESC LIMIT 1`)
	r, err := scanRound(row)
	if err != nil {
		return oracle.Round{}, fmt.Errorf("latest round: %w", mapErr(err))
	}
	return r, nil
}

// SaveChallenges stores challenges in one transaction: all or none.
func (s *Store) SaveChallenges(ctx context.Context, cs []oracle.Challenge) error {
	if len(cs) == 0 {
		return nil
	}
	if err := s.inTx(ctx, func(tx *txStmts) error { return saveChallenges(ctx, tx, cs) }); err != nil {
		return fmt.Errorf("save %d challenges: %w", len(cs), mapErr(err))
	}
	return nil
}

func saveChallenges(ctx context.Context, tx *txStmts, cs []oracle.Challenge) (err error) {
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO challenges (round, challengee, issued_at, envelope) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, stmt.Close()) }()
	for _, c := range cs {
		round, err := batch.Int64("round", c.Round)
		if err != nil {
			return err
		}
		if _, err := stmt.ExecContext(ctx, round, string(c.Challengee), micros(c.IssuedAt), blob(c.Envelope)); err != nil {
			return fmt.Errorf("challenge of %s in round %d: %w", c.Challengee, c.Round, err)
		}
	}
	return nil
}

// ChallengesOfRound lists a round's challenges by challengee.
func (s *Store) ChallengesOfRound(ctx context.Context, n uint64) ([]oracle.Challenge, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT round, challengee, issued_at, envelope FROM challenges
		WHERE round = ? ORDER BY challengee`, int64(n))
	cs, err := collect(rows, err, scanChallenge)
	if err != nil {
		return nil, fmt.Errorf("challenges of round %d: %w", n, mapErr(err))
	}
	return cs, nil
}
