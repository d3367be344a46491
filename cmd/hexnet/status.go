package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hexnet/hexnet/hotspotname"
	"github.com/hexnet/hexnet/identity"
)

const usageStatus = "hotspot status ADDRESS|NAME [--epochs N] [--rewards N] [--api URL]"

// The oracle API's answers that status reads (a subset of their fields).
type (
	statusHotspot struct {
		Address    string          `json:"address"`
		Name       string          `json:"name"`
		Owner      string          `json:"owner"`
		Status     string          `json:"status"`
		Cell       *string         `json:"cell"`
		Lat        *float64        `json:"lat"`
		Lng        *float64        `json:"lng"`
		GainDBi    *float64        `json:"gain_dbi"`
		ElevationM *int32          `json:"elevation_m"`
		Region     *string         `json:"region"`
		Denied     bool            `json:"denied"`
		Locations  []statusAsserts `json:"locations"`
	}
	statusAsserts struct {
		AssertedAt time.Time `json:"asserted_at"`
	}
	statusEpoch struct {
		Epoch  uint64 `json:"epoch"`
		Status string `json:"status"`
	}
	statusReport struct {
		ReceivedAt  time.Time `json:"received_at"`
		Valid       *bool     `json:"valid"`
		Reason      string    `json:"reason"`
		Explanation string    `json:"explanation"`
		DataRate    string    `json:"data_rate"`
		FrequencyHz uint64    `json:"frequency_hz"`
		RSSI        *float32  `json:"rssi"`
		SNR         *float32  `json:"snr"`
	}
	statusReports struct {
		Epoch     uint64         `json:"epoch"`
		Status    string         `json:"status"`
		Beacons   []statusReport `json:"beacons"`
		Witnesses []statusReport `json:"witnesses"`
	}
	statusRewards struct {
		Rewards []struct {
			Epoch        uint64   `json:"epoch"`
			Status       string   `json:"status"`
			BeaconUnits  uint64   `json:"beacon_units"`
			WitnessUnits uint64   `json:"witness_units"`
			DataUnits    uint64   `json:"data_units"`
			Amount       uint64   `json:"amount"`
			Signatures   []string `json:"signatures"`
		} `json:"rewards"`
	}
	statusSearch struct {
		Hotspots  []statusHotspot `json:"hotspots"`
		Truncated bool            `json:"truncated"`
	}
)

// runStatus prints what the oracle knows of one hotspot: its status and
// location, its reports of the latest epochs with each verdict in plain
// words, and its rewards with their transactions.
func runStatus(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("hotspot status", flag.ContinueOnError)
	api := fs.String("api", apiDefault(), "the oracle's HTTP API")
	epochs := fs.Int("epochs", 2, "how many of the latest epochs' reports to show")
	rewards := fs.Int("rewards", 10, "how many of the latest closed epochs' rewards to show (1..100)")
	target, err := positional(fs, args, usageStatus)
	if err != nil {
		return err
	}
	if *epochs < 0 || *rewards < 1 || *rewards > 100 {
		return fmt.Errorf("%w: --epochs must be 0 or more and --rewards in 1..100", errUsage)
	}
	c := oracleClient{ctx: ctx, base: strings.TrimSuffix(*api, "/")}
	addr, err := c.resolve(target)
	if err != nil {
		return err
	}
	var h statusHotspot
	if err := c.get("/hotspots/"+addr, &h); err != nil {
		return err
	}
	printHotspot(e.stdout, h)
	if err := c.printReports(e.stdout, addr, *epochs); err != nil {
		return err
	}
	return c.printRewards(e.stdout, addr, *rewards)
}

// positional reads one positional argument, before or after the flags.
func positional(fs *flag.FlagSet, args []string, usage string) (string, error) {
	if err := parse(fs, args); err != nil {
		return "", err
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return "", fmt.Errorf("%w: %s", errUsage, usage)
	}
	if err := parse(fs, rest[1:]); err != nil {
		return "", err
	}
	if fs.NArg() > 0 {
		return "", fmt.Errorf("%w: unexpected %q: %s", errUsage, fs.Arg(0), usage)
	}
	return rest[0], nil
}

// oracleClient reads the oracle's API.
type oracleClient struct {
	ctx  context.Context
	base string
}

// get decodes the JSON answer of GET /api/v1+path; a non-2xx answer is an
// error carrying the API's message.
func (c oracleClient) get(path string, out any) error {
	req, err := http.NewRequestWithContext(c.ctx, http.MethodGet, c.base+"/api/v1"+path, nil)
	if err != nil {
		return fmt.Errorf("%w: --api %q: %v", errUsage, c.base, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%w (is the oracle running? set --api or HEXNET_API)", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		var e struct{ Error string }
		if json.Unmarshal(body, &e) == nil && e.Error != "" {
			return fmt.Errorf("%s: %s", resp.Status, e.Error)
		}
		return fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	return json.Unmarshal(body, out)
}

// resolve turns an address or a name into an address. A name must match
// one hotspot: exactly, or as the start of only one name.
func (c oracleClient) resolve(target string) (string, error) {
	if identity.Address(target).Valid() {
		return target, nil
	}
	var found statusSearch
	if err := c.get("/search?"+url.Values{"q": {target}, "limit": {"20"}}.Encode(), &found); err != nil {
		return "", err
	}
	name := hotspotname.Normalize(target)
	var exact []statusHotspot
	for _, h := range found.Hotspots {
		if h.Name == name {
			exact = append(exact, h)
		}
	}
	switch {
	case len(exact) == 1:
		return exact[0].Address, nil
	case len(exact) == 0 && len(found.Hotspots) == 1:
		return found.Hotspots[0].Address, nil
	case len(found.Hotspots) == 0:
		return "", fmt.Errorf("no hotspot is named %q or has an address starting with it", target)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%q matches more than one hotspot; give one of these addresses:", target)
	for _, h := range found.Hotspots {
		fmt.Fprintf(&b, "\n  %s  %s", h.Address, h.Name)
	}
	if found.Truncated {
		b.WriteString("\n  … and more")
	}
	return "", fmt.Errorf("%s", b.String())
}

func printHotspot(w io.Writer, h statusHotspot) {
	fmt.Fprintf(w, "%s  %s\n", h.Name, h.Address)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "  status\t%s\n", h.Status)
	if h.Denied {
		fmt.Fprintf(tw, "  denied\tyes: its reports are judged invalid\n")
	}
	fmt.Fprintf(tw, "  owner\t%s\n", h.Owner)
	if h.Cell == nil {
		fmt.Fprintf(tw, "  location\tnone asserted yet (hexnet hotspot assert-location)\n")
	} else {
		fmt.Fprintf(tw, "  location\tcell %s at %.6f, %.6f; region %s; antenna %.1f dBi, %d m above ground\n",
			*h.Cell, *h.Lat, *h.Lng, *h.Region, *h.GainDBi, *h.ElevationM)
	}
	n := len(h.Locations)
	switch n {
	case 0:
		fmt.Fprintf(tw, "  history\tno location assertions\n")
	default:
		fmt.Fprintf(tw, "  history\t%d location assertion(s), the latest at %s\n", n, h.Locations[n-1].AssertedAt.Format(time.RFC3339))
	}
	tw.Flush()
}

// printReports prints the hotspot's reports of the latest epochs, newest
// epoch first.
func (c oracleClient) printReports(w io.Writer, addr string, epochs int) error {
	var es []statusEpoch
	if err := c.get("/epochs", &es); err != nil {
		return err
	}
	for i := len(es) - 1; i >= 0 && i >= len(es)-epochs; i-- {
		var rs statusReports
		if err := c.get("/hotspots/"+addr+"/reports?epoch="+strconv.FormatUint(es[i].Epoch, 10), &rs); err != nil {
			return err
		}
		fmt.Fprintf(w, "epoch %d (%s): %d beacon(s), %d witness report(s)\n", rs.Epoch, rs.Status, len(rs.Beacons), len(rs.Witnesses))
		for _, r := range rs.Beacons {
			printReport(w, "beacon", r)
		}
		for _, r := range rs.Witnesses {
			printReport(w, "witness", r)
		}
	}
	return nil
}

func printReport(w io.Writer, kind string, r statusReport) {
	verdict := r.Reason // pending, not_judged
	switch {
	case r.Valid != nil && *r.Valid:
		verdict = "valid"
	case r.Valid != nil:
		verdict = "invalid (" + r.Reason + ")"
	}
	radio := fmt.Sprintf("%s %.1f MHz", r.DataRate, float64(r.FrequencyHz)/1e6)
	if r.RSSI != nil && r.SNR != nil {
		radio += fmt.Sprintf(", RSSI %.1f dBm, SNR %.1f dB", *r.RSSI, *r.SNR)
	}
	fmt.Fprintf(w, "  %-7s %s  %s  %s\n          %s\n", kind, r.ReceivedAt.Format(time.RFC3339), radio, verdict, r.Explanation)
}

// printRewards prints the hotspot's rewards, newest epoch first.
func (c oracleClient) printRewards(w io.Writer, addr string, limit int) error {
	var rw statusRewards
	if err := c.get("/hotspots/"+addr+"/rewards?limit="+strconv.Itoa(limit), &rw); err != nil {
		return err
	}
	if len(rw.Rewards) == 0 {
		fmt.Fprintf(w, "rewards: none in the latest %d closed epoch(s)\n", limit)
		return nil
	}
	fmt.Fprintln(w, "rewards (in the mint's base units):")
	for _, r := range rw.Rewards {
		fmt.Fprintf(w, "  epoch %d (%s): %d = beacons %d + witnesses %d + data %d\n",
			r.Epoch, r.Status, r.Amount, r.BeaconUnits, r.WitnessUnits, r.DataUnits)
		if len(r.Signatures) == 0 {
			fmt.Fprintln(w, "    no confirmed transaction yet")
		}
		for _, s := range r.Signatures {
			fmt.Fprintf(w, "    tx %s\n", s)
		}
	}
	return nil
}
