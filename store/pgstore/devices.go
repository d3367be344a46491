package pgstore

import (
	"context"
	"fmt"

	"github.com/brocaar/lorawan"
	"github.com/jackc/pgx/v5"

	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store"
)

const deviceColumns = `dev_eui, join_eui, application, name, mac_version, otaa, app_key, nwk_key, created_at, class`

// CreateDevice registers a device; store.ErrConflict if its DevEUI exists.
func (s *Store) CreateDevice(ctx context.Context, d router.Device) error {
	if err := createDevice(ctx, s.pool, d); err != nil {
		return fmt.Errorf("create device %s: %w", d.DevEUI, err)
	}
	return nil
}

func createDevice(ctx context.Context, db DBTX, d router.Device) error {
	_, err := db.Exec(ctx, `INSERT INTO devices (`+deviceColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		eui(d.DevEUI), eui(d.JoinEUI), d.Application, d.Name, d.MACVersion, d.OTAA,
		key(d.AppKey), key(d.NwkKey), ts(d.CreatedAt), d.Class)
	return mapErr(err)
}

// GetDevice returns a device; store.ErrNotFound if there is none.
func (s *Store) GetDevice(ctx context.Context, devEUI lorawan.EUI64) (router.Device, error) {
	d, err := getDevice(ctx, s.pool, devEUI)
	if err != nil {
		return router.Device{}, fmt.Errorf("get device %s: %w", devEUI, err)
	}
	return d, nil
}

func getDevice(ctx context.Context, db DBTX, devEUI lorawan.EUI64) (router.Device, error) {
	rows, _ := db.Query(ctx, `SELECT `+deviceColumns+` FROM devices WHERE dev_eui = $1`, eui(devEUI))
	row, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[deviceRow])
	if err != nil {
		return router.Device{}, mapErr(err)
	}
	return row.device(), nil
}

// ListDevices lists an application's devices by DevEUI; an empty
// application lists every device.
func (s *Store) ListDevices(ctx context.Context, application string) ([]router.Device, error) {
	ds, err := listDevices(ctx, s.pool, application)
	if err != nil {
		return nil, fmt.Errorf("list devices of application %q: %w", application, err)
	}
	return ds, nil
}

func listDevices(ctx context.Context, db DBTX, application string) ([]router.Device, error) {
	rows, _ := db.Query(ctx, `SELECT `+deviceColumns+` FROM devices
		WHERE $1 = '' OR application = $1 ORDER BY dev_eui`, application)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[deviceRow])
	if err != nil {
		return nil, mapErr(err)
	}
	ds := make([]router.Device, len(rs))
	for i, r := range rs {
		ds[i] = r.device()
	}
	return ds, nil
}

// DeleteDevice removes a device with its session and used nonces;
// store.ErrNotFound if there is none. Its ledger entries stay.
func (s *Store) DeleteDevice(ctx context.Context, devEUI lorawan.EUI64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM devices WHERE dev_eui = $1`, eui(devEUI))
	if err == nil && tag.RowsAffected() == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("delete device %s: %w", devEUI, mapErr(err))
	}
	return nil
}

// UpdateDevice replaces a device's name, class and root keys;
// store.ErrNotFound if there is none.
func (s *Store) UpdateDevice(ctx context.Context, d router.Device) error {
	tag, err := s.pool.Exec(ctx, `UPDATE devices SET name = $2, app_key = $3, nwk_key = $4, class = $5 WHERE dev_eui = $1`,
		eui(d.DevEUI), d.Name, key(d.AppKey), key(d.NwkKey), d.Class)
	if err == nil && tag.RowsAffected() == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("update device %s: %w", d.DevEUI, mapErr(err))
	}
	return nil
}
