package sqlitestore

import (
	"context"
	"fmt"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/router"
)

// SaveSession inserts or replaces the device's session; store.ErrNotFound
// if the device is not registered.
func (s *Store) SaveSession(ctx context.Context, sess router.Session) error {
	_, err := s.write.ExecContext(ctx, `INSERT INTO device_sessions (`+sessionColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
		int64(sess.FCntUp), int64(sess.NFCntDown), int64(sess.AFCntDown), micros(sess.UpdatedAt))
	if err != nil {
		return fmt.Errorf("save session of device %s: %w", sess.DevEUI, mapErr(err))
	}
	return nil
}

// GetSession returns the device's session; store.ErrNotFound if it has none.
func (s *Store) GetSession(ctx context.Context, devEUI lorawan.EUI64) (router.Session, error) {
	row := s.read.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM device_sessions WHERE dev_eui = ?`, eui(devEUI))
	sess, err := scanSession(row)
	if err != nil {
		return router.Session{}, fmt.Errorf("get session of device %s: %w", devEUI, mapErr(err))
	}
	return sess, nil
}

// SessionsByDevAddr lists the sessions using devAddr, by DevEUI.
func (s *Store) SessionsByDevAddr(ctx context.Context, devAddr lorawan.DevAddr) ([]router.Session, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+sessionColumns+` FROM device_sessions
		WHERE dev_addr = ? ORDER BY dev_eui`, addr(devAddr))
	ss, err := collect(rows, err, scanSession)
	if err != nil {
		return nil, fmt.Errorf("sessions of DevAddr %s: %w", devAddr, mapErr(err))
	}
	return ss, nil
}

// UseDevNonce records a DevNonce; store.ErrConflict if the device used it
// before, store.ErrNotFound if the device is not registered.
func (s *Store) UseDevNonce(ctx context.Context, devEUI lorawan.EUI64, nonce lorawan.DevNonce) error {
	_, err := s.write.ExecContext(ctx, `INSERT INTO dev_nonces (dev_eui, nonce, used_at)
		VALUES (?, ?, CAST(unixepoch('subsec') * 1000000 AS INTEGER))`, eui(devEUI), int64(nonce))
	if err != nil {
		return fmt.Errorf("use DevNonce %d of device %s: %w", nonce, devEUI, mapErr(err))
	}
	return nil
}
