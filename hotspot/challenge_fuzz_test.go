package hotspot

import (
	"bytes"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/hexnet/hexnet/beacon"
	"github.com/hexnet/hexnet/identity"
	"github.com/hexnet/hexnet/proto/hexnetpb"
)

// FuzzChallenge feeds arbitrary challenge bodies, validly signed by the
// oracle, to the challenge checks: nothing panics, and whatever is obeyed
// is this hotspot's own beacon, unexpired, on a frequency, data rate and
// power a concentrator can send.
func FuzzChallenge(f *testing.F) {
	oracle, err := identity.FromSeed(bytes.Repeat([]byte{1}, 32))
	if err != nil {
		f.Fatal(err)
	}
	key, err := identity.FromSeed(bytes.Repeat([]byte{2}, 32))
	if err != nil {
		f.Fatal(err)
	}
	entropy := bytes.Repeat([]byte{3}, 32)
	good, _ := proto.Marshal(&hexnetpb.Challenge{
		Round: 1, Entropy: entropy, Challengee: key.Public(), BeaconPayload: beacon.Payload(entropy, key.Public()),
		FrequencyHz: 868_100_000, DataRate: &hexnetpb.DataRate{SpreadingFactor: 9, BandwidthKhz: 125}, PowerDbm: 14,
		ExpiresUnixNs: fixedClock().Add(time.Minute).UnixNano(),
	})
	f.Add(good)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, body []byte) {
		d := &Daemon{o: Options{Key: key, Oracle: oracle.Address()}, now: fixedClock}
		raw, _ := proto.Marshal(&hexnetpb.Signed{Kind: string(identity.KindChallenge), Signer: oracle.Public(), Body: body,
			Signature: oracle.Sign(identity.KindChallenge, body)})
		env, ch, reason := d.checkChallenge(raw)
		if reason != "" {
			return
		}
		it := beaconItem(ch)
		if env == nil || checkItem(it) != nil || !bytes.Equal(ch.GetChallengee(), key.Public()) ||
			!fixedClock().Before(time.Unix(0, ch.GetExpiresUnixNs())) || it.GetInvertPolarity() || !it.GetImmediately() {
			t.Fatalf("obeyed a challenge it should refuse: %v", ch)
		}
		if _, ok := beacon.Parse(it.GetPhyPayload()); !ok {
			t.Fatalf("would transmit %x, not a beacon", it.GetPhyPayload())
		}
		if _, _, again := d.checkChallenge(raw); again != RefuseReplayed {
			t.Fatalf("the same challenge twice: %q, want replayed", again)
		}
	})
}
