package main

import (
	"context"
	"strings"
	"testing"

	"github.com/brocaar/lorawan"
)

// TestDeviceUpdate drives device update against a real router API: what
// is given changes, what is not stays.
func TestDeviceUpdate(t *testing.T) {
	url, st := routerAPI(t)
	const newKey = "00112233445566778899aabbccddeeff"
	steps := []struct {
		args   []string
		code   int
		stdout string // a substring of stdout (exit 0) or stderr (otherwise)
	}{
		{[]string{"org", "add", "--id", "acme"}, 0, `"id":"acme"`},
		{[]string{"app", "add", "--id", "meters", "--org", "acme"}, 0, `"id":"meters"`},
		{[]string{"device", "add", "--app", "meters", "--dev-eui", "70b3d57ed0000001", "--join-eui", "0000000000000001",
			"--app-key", "2b7e151628aed2a6abf7158809cf4f3c", "--mac-version", "1.0.3", "--name", "old"}, 0, `"name":"old"`},
		{[]string{"device", "update", "--dev-eui", "70b3d57ed0000001", "--name", "kitchen"}, 0, `"name":"kitchen"`},
		{[]string{"device", "update", "--dev-eui", "70b3d57ed0000001", "--app-key", newKey}, 0, `"name":"kitchen"`},
		{[]string{"device", "update", "--dev-eui", "70b3d57ed0000001", "--nwk-key", newKey}, 1, "400"},
		{[]string{"device", "update", "--dev-eui", "70b3d57ed0000001", "--app-key", "00"}, 1, `app_key`},
		{[]string{"device", "update", "--dev-eui", "70b3d57ed00000ff", "--name", "x"}, 1, "404"},
		{[]string{"device", "update", "--dev-eui", "70b3d57ed0000001"}, 2, "nothing to change"},
		{[]string{"device", "update", "--name", "x"}, 2, "--dev-eui"},
	}
	for _, s := range steps {
		args := append(s.args, "--api", url)
		code, out, errOut := cli(t, args...)
		got := out
		if code != 0 {
			got = errOut
		}
		if code != s.code || !strings.Contains(got, s.stdout) {
			t.Errorf("hexnet %s: exit %d\nstdout %s\nstderr %s\nwant exit %d with %q", strings.Join(args, " "), code, out, errOut, s.code, s.stdout)
		}
	}
	d, err := st.GetDevice(context.Background(), lorawan.EUI64{0x70, 0xb3, 0xd5, 0x7e, 0xd0, 0, 0, 1})
	if err != nil || d.Name != "kitchen" || d.AppKey.String() != newKey || d.JoinEUI != (lorawan.EUI64{7: 1}) {
		t.Errorf("stored device %+v, %v; want name kitchen, app key %s, join EUI kept", d, err, newKey)
	}
	if code, _, errOut := cli(t, "help"); code != 0 || !strings.Contains(errOut, usageDeviceUpdate) {
		t.Errorf("help (exit %d) does not document %q", code, usageDeviceUpdate)
	}
}
