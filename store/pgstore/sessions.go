package pgstore

import (
	"context"
	"fmt"

	"github.com/brocaar/lorawan"
	"github.com/jackc/pgx/v5"

	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store"
)

const sessionColumns = `dev_eui, dev_addr, f_nwk_s_int_key, s_nwk_s_int_key, nwk_s_enc_key, app_s_key,
	fcnt_up, nfcnt_down, afcnt_down, updated_at`

// SaveSession inserts or replaces the device's session; store.ErrNotFound
// if the device is not registered.
func (s *Store) SaveSession(ctx context.Context, sess router.Session) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO device_sessions (`+sessionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (dev_eui) DO UPDATE SET
			dev_addr = excluded.dev_addr,
			f_nwk_s_int_key = excluded.f_nwk_s_int_key,
			s_nwk_s_int_key = excluded.s_nwk_s_int_key,
			nwk_s_enc_key = excluded.nwk_s_enc_key,
			app_s_key = excluded.app_s_key,
			fcnt_up = excluded.fcnt_up,
			nfcnt_down = excluded.nfcnt_down,
			afcnt_down = excluded.afcnt_down,
			updated_at = excluded.updated_at`,
		eui(sess.DevEUI), addr(sess.DevAddr),
		key(sess.FNwkSIntKey), key(sess.SNwkSIntKey), key(sess.NwkSEncKey), key(sess.AppSKey),
		int64(sess.FCntUp), int64(sess.NFCntDown), int64(sess.AFCntDown), ts(sess.UpdatedAt))
	if err != nil {
		return fmt.Errorf("save session of device %s: %w", sess.DevEUI, mapErr(err))
	}
	return nil
}

// GetSession returns the device's session; store.ErrNotFound if it has none.
func (s *Store) GetSession(ctx context.Context, devEUI lorawan.EUI64) (router.Session, error) {
	ss, err := querySessions(ctx, s.pool, `dev_eui = $1`, eui(devEUI))
	if err == nil && len(ss) == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return router.Session{}, fmt.Errorf("get session of device %s: %w", devEUI, err)
	}
	return ss[0], nil
}

// SessionsByDevAddr lists the sessions using devAddr, by DevEUI.
func (s *Store) SessionsByDevAddr(ctx context.Context, devAddr lorawan.DevAddr) ([]router.Session, error) {
	ss, err := querySessions(ctx, s.pool, `dev_addr = $1`, addr(devAddr))
	if err != nil {
		return nil, fmt.Errorf("sessions of DevAddr %s: %w", devAddr, err)
	}
	return ss, nil
}

func querySessions(ctx context.Context, db DBTX, where string, args ...any) ([]router.Session, error) {
	rows, _ := db.Query(ctx, `SELECT `+sessionColumns+` FROM device_sessions WHERE `+where+` ORDER BY dev_eui`, args...)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[sessionRow])
	if err != nil {
		return nil, mapErr(err)
	}
	ss := make([]router.Session, len(rs))
	for i, r := range rs {
		ss[i] = r.session()
	}
	return ss, nil
}

// UseDevNonce records a DevNonce; store.ErrConflict if the device used it
// before, store.ErrNotFound if the device is not registered.
func (s *Store) UseDevNonce(ctx context.Context, devEUI lorawan.EUI64, nonce lorawan.DevNonce) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO dev_nonces (dev_eui, nonce, used_at) VALUES ($1, $2, now())`,
		eui(devEUI), int32(nonce))
	if err != nil {
		return fmt.Errorf("use DevNonce %d of device %s: %w", nonce, devEUI, mapErr(err))
	}
	return nil
}
