package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store"
)

// CreateDevice registers a device; store.ErrConflict if its DevEUI exists.
func (s *Store) CreateDevice(ctx context.Context, d router.Device) error {
	_, err := s.write.ExecContext(ctx, `INSERT INTO devices (`+deviceColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		eui(d.DevEUI), eui(d.JoinEUI), d.Application, d.Name, d.MACVersion, d.OTAA,
		key(d.AppKey), key(d.NwkKey), micros(d.CreatedAt), d.Class)
	if err != nil {
		return fmt.Errorf("create device %s: %w", d.DevEUI, mapErr(err))
	}
	return nil
}

// GetDevice returns a device; store.ErrNotFound if there is none.
func (s *Store) GetDevice(ctx context.Context, devEUI lorawan.EUI64) (router.Device, error) {
	row := s.read.QueryRowContext(ctx, `SELECT `+deviceColumns+` FROM devices WHERE dev_eui = ?`, eui(devEUI))
	d, err := scanDevice(row)
	if err != nil {
		return router.Device{}, fmt.Errorf("get device %s: %w", devEUI, mapErr(err))
	}
	return d, nil
}

// ListDevices lists an application's devices by DevEUI; an empty
// application lists every device.
func (s *Store) ListDevices(ctx context.Context, application string) ([]router.Device, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+deviceColumns+` FROM devices
		WHERE ?1 = '' OR application = ?1 ORDER BY dev_eui`, application)
	ds, err := collect(rows, err, scanDevice)
	if err != nil {
		return nil, fmt.Errorf("list devices of application %q: %w", application, mapErr(err))
	}
	return ds, nil
}

// DeleteDevice removes a device with its session and used nonces;
// store.ErrNotFound if there is none. Its ledger entries stay.
func (s *Store) DeleteDevice(ctx context.Context, devEUI lorawan.EUI64) error {
	res, err := s.write.ExecContext(ctx, `DELETE FROM devices WHERE dev_eui = ?`, eui(devEUI))
	if err == nil {
		err = expectRows(res)
	}
	if err != nil {
		return fmt.Errorf("delete device %s: %w", devEUI, mapErr(err))
	}
	return nil
}

// UpdateDevice replaces a device's name, class and root keys;
// store.ErrNotFound if there is none.
func (s *Store) UpdateDevice(ctx context.Context, d router.Device) error {
	res, err := s.write.ExecContext(ctx, `UPDATE devices SET name = ?, app_key = ?, nwk_key = ?, class = ? WHERE dev_eui = ?`,
		d.Name, key(d.AppKey), key(d.NwkKey), d.Class, eui(d.DevEUI))
	if err == nil {
		err = expectRows(res)
	}
	if err != nil {
		return fmt.Errorf("update device %s: %w", d.DevEUI, mapErr(err))
	}
	return nil
}

// expectRows is store.ErrNotFound when a statement changed no row.
func expectRows(res sql.Result) error {
	n, err := res.RowsAffected()
	if err == nil && n == 0 {
		err = store.ErrNotFound
	}
	return err
}
