package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hexnet/hexnet/config"
	"github.com/hexnet/hexnet/firmware/update"
	"github.com/hexnet/hexnet/hotspot"
	"github.com/hexnet/hexnet/identity"
)

// validateUpdate checks the self-update settings.
func (c *Config) validateUpdate() error {
	switch {
	case c.UpdateSource == "":
		return nil
	case c.UpdateKey == "":
		return config.Errorf("update_key", "required with update_source: the base58 address of the release key that signs manifest.json")
	case !identity.Address(c.UpdateKey).Valid():
		return config.Errorf("update_key", "%q is not a base58 ed25519 public key (the release key's address)", c.UpdateKey)
	case c.UpdateInterval < time.Minute:
		return config.Errorf("update_interval", "%s is too short (at least 1m)", c.UpdateInterval)
	}
	if _, err := update.NewSource(c.UpdateSource); err != nil {
		return config.Errorf("update_source", "%v (want an http(s):// URL or a directory)", err)
	}
	return nil
}

// newOps prepares what runs beside the daemon for its owner: the status
// endpoint (bound here, so a taken port fails the start) and the
// self-updater.
func newOps(cfg *Config, d *hotspot.Daemon, reg prometheus.Registerer, log *slog.Logger) ([]func(context.Context) error, error) {
	var ops []func(context.Context) error
	status, err := serveStatus(cfg, d, log)
	if err != nil {
		return nil, err
	}
	if status != nil {
		ops = append(ops, status)
	}
	if cfg.UpdateSource == "" {
		return ops, nil
	}
	src, _ := update.NewSource(cfg.UpdateSource) // validated
	u, err := update.New(update.Options{
		Source: src, Key: identity.Address(cfg.UpdateKey), Current: version,
		Interval: cfg.UpdateInterval, Logger: log, Registerer: reg,
	})
	if err != nil {
		return nil, err
	}
	log.Info("self-update enabled", "source", cfg.UpdateSource, "release_key", cfg.UpdateKey, "every", cfg.UpdateInterval, "platform", update.Platform())
	return append(ops, u.Run), nil
}

// exitIfUpdated ends the process with update.ExitUpdated once run has
// returned after installing a new binary (the daemon has hung up by then),
// so that systemd (Restart=always) starts the new one.
func exitIfUpdated(err error) error {
	if errors.Is(err, update.ErrRestart) {
		fmt.Fprintf(os.Stderr, "hotspotd: %v; exiting with status %d to be restarted\n", err, update.ExitUpdated)
		os.Exit(update.ExitUpdated)
	}
	return err
}
