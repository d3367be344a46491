package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/config"
	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/router/api"
)

// apiServer serves the management API (router/api) on its listener.
type apiServer struct {
	ln  net.Listener
	srv *http.Server
}

// listenAPI binds the management API's address; nil when addr is empty.
func listenAPI(addr string, st router.Store, dl api.Downlinks, reg prometheus.Registerer, log *slog.Logger) (*apiServer, error) {
	if addr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, config.Errorf("api_listen", "%v", err)
	}
	h := api.New(api.Options{Store: st, Downlinks: dl, Clock: clock.Real{}, Logger: log, Registerer: reg})
	return &apiServer{ln: ln, srv: &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}}, nil
}

// URL is where the API answers.
func (a *apiServer) URL() string { return "http://" + a.ln.Addr().String() + "/api/v1" }

// Run serves until ctx ends, then closes the server; nil a does nothing.
func (a *apiServer) Run(ctx context.Context) error {
	if a == nil {
		return nil
	}
	stop := context.AfterFunc(ctx, func() { a.srv.Close() })
	defer stop()
	if err := a.srv.Serve(a.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
