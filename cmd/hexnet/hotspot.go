package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/hexnet/hexnet/geo"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/oracle"
)

func apiDefault() string {
	if v := os.Getenv("HEXNET_API"); v != "" {
		return v
	}
	return "http://127.0.0.1:8080"
}

func parse(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}

func runKeygen(_ context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	out := fs.String("out", "", "where to write the key")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("%w: --out FILE is required", errUsage)
	}
	k, err := identity.Generate()
	if err != nil {
		return err
	}
	if err := k.Save(*out); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, k.Address())
	return nil
}

func runOnboard(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("hotspot onboard", flag.ContinueOnError)
	ownerKey := fs.String("owner-key", "", "the owner's key file")
	hotspotKey := fs.String("hotspot-key", "", "the hotspot's key file")
	api := fs.String("api", apiDefault(), "the oracle's HTTP API")
	if err := parse(fs, args); err != nil {
		return err
	}
	owner, hotspot, err := loadKeys(*ownerKey, *hotspotKey)
	if err != nil {
		return err
	}
	raw, err := oracle.SignOnboard(owner, hotspot, uint64(time.Now().UnixNano()), time.Now())
	if err != nil {
		return err
	}
	body := map[string]string{"request": base64.StdEncoding.EncodeToString(raw)}
	return post(ctx, e, *api+"/api/v1/hotspots", body)
}

func loadKeys(ownerPath, hotspotPath string) (*identity.Key, *identity.Key, error) {
	if ownerPath == "" || hotspotPath == "" {
		return nil, nil, fmt.Errorf("%w: --owner-key and --hotspot-key are required", errUsage)
	}
	owner, err := identity.Load(ownerPath)
	if err != nil {
		return nil, nil, err
	}
	hotspot, err := identity.Load(hotspotPath)
	return owner, hotspot, err
}

func runAssertLocation(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("hotspot assert-location", flag.ContinueOnError)
	ownerKey := fs.String("owner-key", "", "the owner's key file")
	hotspot := fs.String("hotspot", "", "the hotspot's address")
	lat := fs.Float64("lat", 999, "latitude of the antenna")
	lng := fs.Float64("lng", 999, "longitude of the antenna")
	gain := fs.Float64("gain", 3, "antenna gain in dBi")
	elevation := fs.Int("elevation", 5, "antenna height above ground in metres")
	region := fs.String("region", "EU868", "LoRaWAN region plan")
	nonce := fs.Uint64("nonce", uint64(time.Now().Unix()), "must grow with each assertion (default: the time)")
	api := fs.String("api", apiDefault(), "the oracle's HTTP API")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *ownerKey == "" || !identity.Address(*hotspot).Valid() {
		return fmt.Errorf("%w: --owner-key FILE and --hotspot ADDRESS are required", errUsage)
	}
	cell, err := geo.CellOf(geo.Point{Lat: *lat, Lng: *lng}, geo.ResAsserted)
	if err != nil {
		return fmt.Errorf("%w: --lat/--lng: %v", errUsage, err)
	}
	owner, err := identity.Load(*ownerKey)
	if err != nil {
		return err
	}
	l := oracle.Location{Cell: uint64(cell), GainDBiX10: int32(*gain * 10), ElevationM: int32(*elevation), Region: *region, Nonce: *nonce, AssertedAt: time.Now()}
	raw, err := oracle.SignLocation(owner, identity.Address(*hotspot), l)
	if err != nil {
		return err
	}
	body := map[string]string{"assertion": base64.StdEncoding.EncodeToString(raw)}
	return post(ctx, e, *api+"/api/v1/hotspots/"+*hotspot+"/location", body)
}

// post sends JSON and prints the answer; a non-2xx answer is an error
// carrying the API's message.
func post(ctx context.Context, e *env, url string, body any) error {
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%w (is the oracle running? set --api or HEXNET_API)", err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(out)))
	}
	fmt.Fprintln(e.stdout, strings.TrimSpace(string(out)))
	return nil
}
