package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/brocaar/lorawan"
	"github.com/google/go-cmp/cmp"

	"github.com/hexnet/hexnet/hotspot"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/internal/proctest"
	"github.com/hexnet/hexnet/internal/testenv"
	"github.com/hexnet/hexnet/mqttclient"
	"github.com/hexnet/hexnet/proto/hexnetpb"
	"github.com/hexnet/hexnet/router"
	"github.com/hexnet/hexnet/store/pgstore"
	"github.com/hexnet/hexnet/store/pgstore/pgtest"
	"github.com/hexnet/hexnet/store/sqlitestore"
)

// The ABP device the pipeline test registers. The hex spellings are the
// wire contract: event topics and JSON carry lower-case hex.
var (
	devEUI     = lorawan.EUI64{0x70, 0xb3, 0xd5, 0x7e, 0xd0, 0x00, 0x00, 0xa1}
	devEUIHex  = "70b3d57ed00000a1"
	devAddr    = lorawan.DevAddr{0x26, 0x01, 0x1b, 0xda}
	devAddrHex = "26011bda"
	nwkSKey    = lorawan.AES128Key{0x15, 0x79, 0x2b, 0x6e, 0x3a, 0x80, 0x4c, 0x11, 0x9d, 0x02, 0xe7, 0x5f, 0x60, 0xa4, 0xc3, 0x28}
	appSKey    = lorawan.AES128Key{0xa0, 0x0d, 0x41, 0x9b, 0x57, 0x3c, 0xe8, 0x26, 0x0f, 0x91, 0x74, 0xb2, 0x3e, 0xd5, 0x68, 0x0c}
)

// unique returns prefix plus random hex, for names shared on the broker.
func unique(t *testing.T, prefix string) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return prefix + "-" + hex.EncodeToString(b)
}

// connect opens an MQTT client with a unique id, closed at cleanup.
func connect(t *testing.T, broker string) *mqttclient.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	cl, err := mqttclient.Connect(ctx, mqttclient.Options{Broker: broker, ClientID: unique(t, "router-test")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// message is one MQTT publish seen by a test subscriber.
type message struct {
	topic   string
	payload []byte
}

// subscribe collects every message matching filter.
func subscribe(t *testing.T, cl *mqttclient.Client, filter string) <-chan message {
	t.Helper()
	ch := make(chan message, 16)
	err := cl.Subscribe(context.Background(), filter, 1, func(topic string, payload []byte) {
		ch <- message{topic, append([]byte(nil), payload...)}
	})
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// dataUp builds an unconfirmed data uplink as a LoRaWAN 1.0 device sends
// it: FRMPayload encrypted with the AppSKey, MIC with the NwkSKey.
func dataUp(t *testing.T, fcnt uint32, fport uint8, data []byte) []byte {
	t.Helper()
	return dataUpFrom(t, devAddr, fcnt, fport, data)
}

// dataUpFrom is dataUp from another DevAddr (with the same keys).
func dataUpFrom(t *testing.T, devAddr lorawan.DevAddr, fcnt uint32, fport uint8, data []byte) []byte {
	t.Helper()
	phy := lorawan.PHYPayload{
		MHDR: lorawan.MHDR{MType: lorawan.UnconfirmedDataUp, Major: lorawan.LoRaWANR1},
		MACPayload: &lorawan.MACPayload{
			FHDR:       lorawan.FHDR{DevAddr: devAddr, FCnt: fcnt},
			FPort:      &fport,
			FRMPayload: []lorawan.Payload{&lorawan.DataPayload{Bytes: data}},
		},
	}
	if err := phy.EncryptFRMPayload(appSKey); err != nil {
		t.Fatal(err)
	}
	if err := phy.SetUplinkDataMIC(lorawan.LoRaWAN1_0, 0, 0, 0, nwkSKey, nwkSKey); err != nil {
		t.Fatal(err)
	}
	b, err := phy.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// publishUplink publishes phy as hotspot k heard it, signed.
func publishUplink(t *testing.T, cl *mqttclient.Client, k *identity.Key, phy []byte, snr float32) {
	t.Helper()
	payload, err := k.SealBytes(identity.KindUplink, &hexnetpb.Uplink{
		PhyPayload: phy, FrequencyHz: 868_100_000, Rssi: -100 + snr, Snr: snr, Tmst: 5_000_000,
		DataRate:       &hexnetpb.DataRate{SpreadingFactor: 7, BandwidthKhz: 125, CodingRate: "4/5"},
		ReceivedUnixNs: time.Now().UnixNano(),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := cl.Publish(ctx, hotspot.UplinkTopic(k.Address(), phy), 1, false, payload); err != nil {
		t.Fatal(err)
	}
}

// upEvent is the part of the up event JSON applications read.
type upEvent struct {
	DeduplicationID string `json:"deduplicationId"`
	DeviceInfo      struct {
		ApplicationID string `json:"applicationId"`
		DeviceName    string `json:"deviceName"`
		DevEUI        string `json:"devEui"`
	} `json:"deviceInfo"`
	DevAddr string `json:"devAddr"`
	FCnt    uint32 `json:"fCnt"`
	FPort   uint8  `json:"fPort"`
	Data    []byte `json:"data"` // base64 in the JSON
	RxInfo  []struct {
		GatewayID string `json:"gatewayId"`
	} `json:"rxInfo"`
}

// registerABP creates the device and its session directly in the store.
func registerABP(t *testing.T, db, app string, fcntUp uint32) {
	t.Helper()
	registerABPs(t, db, app, fcntUp, abpDevice{devEUI, devAddr})
}

// abpDevice is an ABP device with the pipeline device's keys.
type abpDevice struct {
	eui  lorawan.EUI64
	addr lorawan.DevAddr
}

// registerABPs registers devices and their sessions directly in the store.
func registerABPs(t *testing.T, db, app string, fcntUp uint32, devs ...abpDevice) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	st, err := pgstore.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	for _, d := range devs {
		if err := st.CreateDevice(ctx, router.Device{DevEUI: d.eui, Application: app, Name: "meter", MACVersion: "1.0.3", CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		err = st.SaveSession(ctx, router.Session{DevEUI: d.eui, DevAddr: d.addr, FNwkSIntKey: nwkSKey, SNwkSIntKey: nwkSKey,
			NwkSEncKey: nwkSKey, AppSKey: appSKey, FCntUp: fcntUp, UpdatedAt: now})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// traffic reads the ledger's per-hotspot sums for [from, to).
func traffic(t *testing.T, db string, from, to time.Time) []router.Traffic {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	st, err := pgstore.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tr, err := st.TrafficBetween(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestPostgresPipeline runs `router migrate` and then the router against
// the machine's Mosquitto and PostgreSQL: two hotspots' signed copies of
// one ABP uplink become exactly one decrypted up event listing both, and
// after SIGTERM the ledger holds both copies.
func TestPostgresPipeline(t *testing.T) {
	broker := testenv.Mosquitto(t)
	db := pgtest.Schema(t)
	if res := execute(t, "migrate", "--db", db); res.Code != 0 || !strings.Contains(res.Stdout, "migrations applied") {
		t.Fatalf("migrate: exit %d, stdout %q, stderr %s", res.Code, res.Stdout, res.Stderr)
	}
	app := unique(t, "app")
	registerABP(t, db, app, 7)
	cl := connect(t, broker)
	events := subscribe(t, cl, "hexnet/app/"+app+"/#")

	cluster := newCluster(t, broker)
	p := start(t, "--mqtt", broker, "--db", db, "--auto-migrate=false", "--metrics-listen", "127.0.0.1:0",
		"--cluster", cluster, "--partitions", "4", "--dedup-window", "200ms")
	p.WaitLog("held=4")

	from := time.Now().Add(-time.Minute)
	data := []byte("21.5C,48%")
	phy := dataUp(t, 7, 2, data)
	var hotspots []string
	for i := range 2 {
		k, err := identity.Generate()
		if err != nil {
			t.Fatal(err)
		}
		hotspots = append(hotspots, string(k.Address()))
		publishUplink(t, cl, k, phy, float32(3+i))
	}
	sort.Strings(hotspots)

	got := nextEvent(t, events, "hexnet/app/"+app+"/device/"+devEUIHex+"/event/up")
	if got.DeduplicationID == "" {
		t.Error("up event has no deduplicationId")
	}
	var gateways []string
	for _, rx := range got.RxInfo {
		gateways = append(gateways, rx.GatewayID)
	}
	sort.Strings(gateways)
	if diff := cmp.Diff(hotspots, gateways); diff != "" {
		t.Errorf("rxInfo gateways (-want +got):\n%s", diff)
	}
	if got.DeviceInfo.ApplicationID != app || got.DeviceInfo.DevEUI != devEUIHex || got.DeviceInfo.DeviceName != "meter" ||
		got.DevAddr != devAddrHex || got.FCnt != 7 || got.FPort != 2 || string(got.Data) != string(data) {
		t.Errorf("up event = %+v, want app %s, device %s (meter), devAddr %s, fCnt 7, fPort 2, data %q",
			got, app, devEUIHex, devAddrHex, data)
	}
	select {
	case m := <-events:
		t.Errorf("a second event for one frame on %s: %s", m.topic, m.payload)
	case <-time.After(time.Second): // five dedup windows
	}

	if code := p.Stop(); code != 0 {
		t.Fatalf("exit %d after SIGTERM, want 0", code)
	}
	want := []router.Traffic{
		{Hotspot: identity.Address(hotspots[0]), Copies: 1, Bytes: int64(len(phy)), DataCredits: 1}, // under 24 bytes: 1 DC
		{Hotspot: identity.Address(hotspots[1]), Copies: 1, Bytes: int64(len(phy)), DataCredits: 1},
	}
	if diff := cmp.Diff(want, traffic(t, db, from, time.Now().Add(time.Minute))); diff != "" {
		t.Errorf("ledger traffic (-want +got):\n%s", diff)
	}
}

// nextEvent waits for the next event, which must be on topic.
func nextEvent(t *testing.T, events <-chan message, topic string) upEvent {
	t.Helper()
	select {
	case m := <-events:
		if m.topic != topic {
			t.Fatalf("event on %s, want %s: %s", m.topic, topic, m.payload)
		}
		var ev upEvent
		if err := json.Unmarshal(m.payload, &ev); err != nil {
			t.Fatalf("up event is not JSON: %v: %s", err, m.payload)
		}
		return ev
	case <-time.After(waitFor):
		t.Fatalf("no event on %s within %v", topic, waitFor)
		return upEvent{}
	}
}

// TestSQLiteAutoMigrate: with a sqlite:// store the router creates and
// migrates the database itself, serves /healthz, and stops cleanly.
func TestSQLiteAutoMigrate(t *testing.T) {
	broker := testenv.Mosquitto(t)
	path := filepath.Join(t.TempDir(), "x.db")
	metrics := proctest.FreeTCPAddr(t)
	p := start(t, "--mqtt", broker, "--db", "sqlite://"+path, "--metrics-listen", metrics)
	waitHealthy(t, p, "http://"+metrics+"/healthz")
	if code := p.Stop(); code != 0 {
		t.Fatalf("exit %d after SIGTERM, want 0", code)
	}

	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	st, err := sqlitestore.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.ListDevices(ctx, ""); err != nil {
		t.Errorf("database left unmigrated: %v", err)
	}
}

// waitHealthy polls url until it answers 200 "ok".
func waitHealthy(t *testing.T, p *proctest.Proc, url string) {
	t.Helper()
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(waitFor)
	for {
		resp, err := client.Get(url)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && strings.TrimSpace(string(body)) == "ok" {
				return
			}
			err = fmt.Errorf("status %d: %q", resp.StatusCode, body)
		}
		if exited, how := p.Exited(); exited {
			t.Fatalf("router exited (%v) before %s answered", how, url)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not healthy within %v: %v", url, waitFor, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
