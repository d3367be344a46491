package main

import (
	"context"
	"log/slog"

	"github.com/hexnet/hexnet/mqttclient"
	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store/backend"
	"github.com/hexnet/hexnet/store/pgstore"
)

// clusterOf is the router's share of a cluster: with a PostgreSQL store
// and a cluster name, the instances split the uplink partitions between
// them through advisory locks; otherwise (nil) this instance consumes
// every uplink. The returned func releases the claims.
func clusterOf(cfg *Config, db backend.Backend, log *slog.Logger) (*router.Cluster, func() error, error) {
	pg, ok := db.(*pgstore.Store)
	if cfg.Cluster == "" || !ok {
		if cfg.Cluster != "" {
			log.Info("SQLite store: this router consumes every uplink (clusters need PostgreSQL)")
		}
		return nil, func() error { return nil }, nil
	}
	dial := func(ctx context.Context, clientID string, h func(string, []byte)) (router.PartitionSession, error) {
		return mqttclient.Connect(ctx, mqttclient.Options{
			Broker: cfg.MQTT, ClientID: clientID, Username: cfg.MQTTUsername, Password: cfg.MQTTPassword,
			Persistent: true, OnMessage: h, Logger: log.With("session", clientID),
		})
	}
	log.Info("sharing uplinks with the cluster's other routers", "cluster", cfg.Cluster, "partitions", cfg.Partitions)
	claims := pg.Claims(cfg.Cluster)
	return &router.Cluster{Claims: claims, Dial: dial, Name: cfg.Cluster, Partitions: cfg.Partitions}, claims.Close, nil
}
