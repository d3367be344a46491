package api_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hexnet/hexnet/clock"
	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/router/api"
	"github.com/hexnet/hexnet/store/sqlitestore"
)

type nopBus struct{}

func (nopBus) Publish(context.Context, string, byte, bool, []byte) error { return nil }
func (nopBus) Subscribe(context.Context, string, byte, func(string, []byte)) error {
	return nil
}

func TestDownlinkQueueEndpoints(t *testing.T) {
	ctx := context.Background()
	st, err := sqlitestore.Open(ctx, sqlitestore.Memory)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := router.New(router.Options{Store: st, Bus: nopBus{}, Clock: clock.NewFake(t0)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Options{Store: st, Clock: clock.NewFake(t0), Registerer: prometheus.NewRegistry(), Downlinks: r}))
	t.Cleanup(srv.Close)

	q := "/api/v1/devices/70b3d57ed0000001/queue"
	run(t, srv, []step{
		{"POST", "/api/v1/organisations", `{"id":"acme"}`, 201, nil},
		{"POST", "/api/v1/applications", `{"id":"meters","organisation":"acme"}`, 201, nil},
		{"POST", "/api/v1/devices", otaa, 201, nil},
		{"GET", q, "", 200, []string{`{"items":[]}`}},
		{"POST", q, `{"fPort":0,"data":"AQ=="}`, 400, []string{"FPort"}},
		{"POST", q, `{"fPort":1,"data":"!"}`, 400, nil},
		{"POST", q, `{"fPort":1,"port":2}`, 400, []string{"unknown field"}},
		{"POST", "/api/v1/devices/70b3d57ed00000ff/queue", `{"fPort":1,"data":"AQ=="}`, 404, nil},
		{"GET", "/api/v1/devices/70b3d57ed00000ff/queue", "", 404, nil},
		{"POST", "/api/v1/devices/nothex/queue", `{"fPort":1}`, 400, nil},
	})
	body := do(t, srv, step{"POST", q, `{"fPort":10,"data":"AQID","confirmed":true}`, 201, []string{`"id":"`}})
	var created struct{ ID string }
	if err := json.Unmarshal([]byte(body), &created); err != nil {
		t.Fatal(err)
	}
	do(t, srv, step{"GET", q, "", 200, []string{
		`"id":"` + created.ID + `"`, `"fPort":10`, `"data":"AQID"`, `"confirmed":true`, `"pending":false`,
	}})
	run(t, srv, []step{
		{"POST", q, `{"fPort":11,"data":"BA=="}`, 201, nil},
		{"DELETE", q, "", 204, nil},
		{"GET", q, "", 200, []string{`{"items":[]}`}},
		{"DELETE", q, "", 204, nil}, // an empty queue flushes too
		{"DELETE", "/api/v1/devices/70b3d57ed00000ff/queue", "", 404, nil},
		{"DELETE", "/api/v1/devices/nothex/queue", "", 400, nil},
	})
}

func TestDownlinkQueueUnavailable(t *testing.T) {
	srv, _ := newServer(t)
	do(t, srv, step{"GET", "/api/v1/devices/70b3d57ed0000001/queue", "", 503, []string{"no downlink queue"}})
	do(t, srv, step{"DELETE", "/api/v1/devices/70b3d57ed0000001/queue", "", 503, []string{"no downlink queue"}})
}

func TestApplicationIntegrationFields(t *testing.T) {
	srv, _ := newServer(t)
	run(t, srv, []step{
		{"POST", "/api/v1/organisations", `{"id":"acme"}`, 201, nil},
		{"POST", "/api/v1/applications", `{"id":"a","organisation":"acme","webhook_url":"ftp://x"}`, 400, []string{"webhook_url"}},
		{"POST", "/api/v1/applications", `{"id":"a","organisation":"acme","webhook_secret":"s"}`, 400, []string{"webhook_url"}},
		{"POST", "/api/v1/applications", `{"id":"a","organisation":"acme","codec":"json"}`, 400, []string{"codec"}},
		{"POST", "/api/v1/applications", `{"id":"a","organisation":"acme","webhook_url":"https://h.example/x","webhook_secret":"s3cret","codec":"cayenne"}`, 201,
			[]string{`"webhook_url":"https://h.example/x"`, `"webhook_secret_set":true`, `"codec":"cayenne"`}},
		{"GET", "/api/v1/applications/a", "", 200, []string{`"webhook_url":"https://h.example/x"`, `"webhook_secret_set":true`, `"codec":"cayenne"`}},
	})
	if b := do(t, srv, step{"GET", "/api/v1/applications/a", "", 200, nil}); strings.Contains(b, "s3cret") {
		t.Errorf("the webhook secret was sent back: %s", b)
	}
}
