package authtest

import (
	"errors"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/eclipse/paho.mqtt.golang/packets"
)

// ErrRefused is what Login returns when the broker answered CONNACK with
// "bad user name or password" or "not authorised".
var ErrRefused = errors.New("authtest: the broker refused the credentials")

// LoginOptions describe one connection attempt.
type LoginOptions struct {
	URL, ClientID, Username, Password string
	WillTopic                         string // a last will on this topic when set
}

// Login connects once, without retrying, disconnects, and reports how the
// broker answered: nil, ErrRefused, or another error.
func Login(o LoginOptions) error {
	po := paho.NewClientOptions().AddBroker(o.URL).SetClientID(o.ClientID).
		SetUsername(o.Username).SetPassword(o.Password).
		SetAutoReconnect(false).SetConnectRetry(false).SetConnectTimeout(3 * time.Second)
	if o.WillTopic != "" {
		po.SetWill(o.WillTopic, "will", 1, false)
	}
	c := paho.NewClient(po)
	tok := c.Connect()
	if !tok.WaitTimeout(5 * time.Second) {
		return errors.New("authtest: no CONNACK within 5 s")
	}
	err := tok.Error()
	if err == nil {
		c.Disconnect(0)
		return nil
	}
	if errors.Is(err, packets.ErrorRefusedBadUsernameOrPassword) || errors.Is(err, packets.ErrorRefusedNotAuthorised) {
		return errors.Join(ErrRefused, err)
	}
	return err
}
