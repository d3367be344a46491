package sim

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/clock"
)

// ErrConfig reports an invalid Config; the message names the field.
var ErrConfig = errors.New("sim: invalid config")

// Defaults applied by NewWorld to zero Config fields.
const (
	DefaultCity           = "lisbon"
	DefaultUplinkInterval = time.Minute
	DefaultApplication    = "sim"
)

// Config describes a world. Zero fields take the defaults above; NetID's
// zero value is a valid NetID (type 0, id 0).
type Config struct {
	City     string // a name from Cities
	Hotspots int
	Devices  int
	Seed     int64
	// UplinkInterval is the mean time between a device's uplinks; each
	// interval is drawn uniformly from [0.5, 1.5)× it, and never shorter
	// than the EU868 1 % duty cycle allows unless IgnoreDutyCycle is set.
	UplinkInterval  time.Duration
	IgnoreDutyCycle bool    // for load tests
	OTAAShare       float64 // share of devices that join over the air; the rest are ABP
	Application     string  // router application id for every device
	NetID           lorawan.NetID
	Logger          *slog.Logger
	// Radio is the propagation model; zero means DefaultRadio.
	Radio Radio
	// Clock drives Run's schedule; nil means the real clock.
	Clock clock.Clock
	// MACVersions are the LoRaWAN versions of the devices, taken in turn
	// (device i speaks MACVersions[i % len]), each one of router.MACVersions;
	// empty means every device speaks MACVersion (1.0.3).
	MACVersions []string
}

func (c Config) withDefaults() Config {
	if c.City == "" {
		c.City = DefaultCity
	}
	if c.UplinkInterval == 0 {
		c.UplinkInterval = DefaultUplinkInterval
	}
	if c.Application == "" {
		c.Application = DefaultApplication
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Radio == (Radio{}) {
		c.Radio = DefaultRadio()
	}
	if c.Clock == nil {
		c.Clock = clock.Real{}
	}
	return c
}

func (c Config) validate() error {
	switch {
	case c.Hotspots < 1:
		return fmt.Errorf("%w: Hotspots is %d, want at least 1", ErrConfig, c.Hotspots)
	case c.Devices < 0:
		return fmt.Errorf("%w: Devices is %d, want 0 or more", ErrConfig, c.Devices)
	case c.UplinkInterval < 0:
		return fmt.Errorf("%w: UplinkInterval is %v, want a positive duration", ErrConfig, c.UplinkInterval)
	case !(c.OTAAShare >= 0 && c.OTAAShare <= 1):
		return fmt.Errorf("%w: OTAAShare is %v, want 0..1", ErrConfig, c.OTAAShare)
	}
	if err := validateVersions(c.MACVersions); err != nil {
		return err
	}
	return c.Radio.validate()
}
