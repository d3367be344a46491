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
// Without an admin token file it serves only a loopback address, open to
// whoever runs there (the devnet, local use), and warns once.
func listenAPI(addr, tokenFile string, st router.Store, dl api.Downlinks, reg prometheus.Registerer, log *slog.Logger) (*apiServer, error) {
	if addr == "" {
		return nil, nil
	}
	var tokens []string
	if tokenFile != "" {
		var err error
		if tokens, err = api.LoadAdminTokens(tokenFile); err != nil {
			return nil, config.Errorf("api_admin_token_file", "%v", err)
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, config.Errorf("api_listen", "%v", err)
	}
	if len(tokens) == 0 {
		if !isLoopback(ln.Addr()) {
			ln.Close()
			return nil, config.Errorf("api_admin_token_file", "the management API would listen on %s, which is not a loopback address, "+
				"without authentication: anyone reaching it could register devices and fund balances. Create an admin token file "+
				"with `(umask 077; hexnet apikey new > /etc/hexnet/router-api-tokens)` or `(umask 077; openssl rand -hex 32 > FILE)` "+
				"and pass --api-admin-token-file FILE, or listen on 127.0.0.1", ln.Addr())
		}
		log.Warn("management API has no admin token: requests without a token act as the operator; "+
			"only processes on this machine can reach it (set --api-admin-token-file to require tokens)", "addr", ln.Addr().String())
	}
	h := api.New(api.Options{Store: st, Downlinks: dl, Clock: clock.Real{}, Logger: log, Registerer: reg, AdminTokens: tokens})
	return &apiServer{ln: ln, srv: &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}}, nil
}

// isLoopback reports whether a listener's address is a loopback one
// (127.0.0.0/8, ::1); the unspecified address (":8081", 0.0.0.0) is not.
func isLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
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
