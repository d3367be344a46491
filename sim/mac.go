package sim

import (
	"fmt"
	"time"

	"github.com/brocaar/lorawan"

	"github.com/hexnet/hexnet/sim/air"
)

// EU868 transmit power: TXPower index i means max EIRP − 2i dB.
const eu868MaxEIRPDBm = 16

// MACOptions set how a simulated device uses the LoRaWAN MAC layer.
type MACOptions struct {
	Confirmed bool // data uplinks are ConfirmedDataUp
	// ADR sets FCtrl.ADR; the device then applies LinkADRReqs (data rate,
	// power, channel mask) as it always answers them.
	ADR bool
	// LinkCheck makes every data uplink carry a LinkCheckReq.
	LinkCheck bool
	// SpreadingFactor, when not 0, replaces the device's (7..12).
	SpreadingFactor int
}

// ReceivedDownlink is a data downlink a device accepted.
type ReceivedDownlink struct {
	Device    int
	DevEUI    lorawan.EUI64
	Window    int // 1: RX1, 2: RX2
	FCnt      uint32
	Confirmed bool // ConfirmedDataDown: the next uplink carries ACK
	ACK       bool // acknowledges the device's confirmed uplink
	FPort     *uint8
	Payload   []byte // decrypted application payload (FPort > 0)
	MAC       []lorawan.MACCommand
	At        time.Time
}

// macState is a node's MAC-layer state, guarded by the node's mu.
type macState struct {
	opts    MACOptions
	answers []lorawan.MACCommand // for the next uplink's FOpts
	got     *ReceivedDownlink    // the downlink acceptData just took
	// LoRaWAN 1.1: ind is RekeyInd (after a join) or ResetInd (ABP), 0
	// for none; indSent how many went out; indDone once answered or given up.
	ind     lorawan.CID
	indSent int
	indDone bool
}

// SetMAC changes device dev's MAC options; call it before Run or RunWith.
func (w *World) SetMAC(dev int, o MACOptions) error {
	if dev < 0 || dev >= len(w.nodes) {
		return fmt.Errorf("sim: no device %d (the world has %d)", dev, len(w.nodes))
	}
	if o.SpreadingFactor != 0 && (o.SpreadingFactor < 7 || o.SpreadingFactor > 12) {
		return fmt.Errorf("%w: SpreadingFactor %d, want 7..12", ErrConfig, o.SpreadingFactor)
	}
	n := w.nodes[dev]
	n.mu.Lock()
	defer n.mu.Unlock()
	n.mac.opts = o
	if o.SpreadingFactor != 0 {
		n.SpreadingFactor = o.SpreadingFactor
	}
	return nil
}

// SpreadingFactor is the spreading factor device dev transmits with now.
func (w *World) SpreadingFactor(dev int) int {
	n := w.nodes[dev]
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.SpreadingFactor
}

// ReceivedDownlinks lists the data downlinks devices accepted, in order.
func (w *World) ReceivedDownlinks() []ReceivedDownlink {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]ReceivedDownlink(nil), w.downlinks...)
}

// recordReceived keeps a data downlink a device accepted.
func (w *World) recordReceived(d *ReceivedDownlink) {
	if d == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.downlinks = append(w.downlinks, *d)
}

// decorateUplink applies the MAC options to a data uplink before it is
// encrypted: confirmed, ADR, and the MAC commands owed (answers to the
// last downlink's requests, a LinkCheckReq).
func (n *node) decorateUplink(phy *lorawan.PHYPayload) {
	mac := phy.MACPayload.(*lorawan.MACPayload)
	if n.mac.opts.Confirmed {
		phy.MHDR.MType = lorawan.ConfirmedDataUp
	}
	mac.FHDR.FCtrl.ADR = n.mac.opts.ADR
	cmds := n.mac.answers
	if n.mac.opts.LinkCheck {
		cmds = append(cmds, lorawan.MACCommand{CID: lorawan.LinkCheckReq})
	}
	for i := range cmds {
		c := cmds[i]
		mac.FHDR.FOpts = append(mac.FHDR.FOpts, &c)
	}
	n.mac.answers = nil
}

// takeDownlink decrypts an accepted data downlink and runs its MAC
// commands; the record waits in n.mac.got for hear. Called by acceptData
// with n.mu held, after the MIC and counter checks.
func (n *node) takeDownlink(phy *lorawan.PHYPayload) error {
	mac := phy.MACPayload.(*lorawan.MACPayload)
	d := &ReceivedDownlink{
		Device: n.Index, DevEUI: n.DevEUI, FCnt: mac.FHDR.FCnt, ACK: mac.FHDR.FCtrl.ACK,
		Confirmed: phy.MHDR.MType == lorawan.ConfirmedDataDown, FPort: mac.FPort,
	}
	if err := n.decodeFOpts(phy); err != nil {
		return fmt.Errorf("%w: FOpts: %v", ErrNotForDevice, err)
	}
	d.MAC = macCommands(mac.FHDR.FOpts)
	if mac.FPort != nil && len(mac.FRMPayload) > 0 {
		key := n.sess.appSKey
		if *mac.FPort == 0 {
			key = n.sess.nwkSEncKey
		}
		if err := phy.DecryptFRMPayload(key); err != nil {
			return fmt.Errorf("%w: decrypt: %v", ErrNotForDevice, err)
		}
		if *mac.FPort == 0 {
			d.MAC = append(d.MAC, macCommands(mac.FRMPayload)...)
		} else if dp, ok := mac.FRMPayload[0].(*lorawan.DataPayload); ok {
			d.Payload = dp.Bytes
		}
	}
	for _, c := range d.MAC {
		n.runMAC(c)
	}
	n.mac.got = d
	return nil
}

func macCommands(pls []lorawan.Payload) []lorawan.MACCommand {
	var out []lorawan.MACCommand
	for _, p := range pls {
		if c, ok := p.(*lorawan.MACCommand); ok {
			out = append(out, *c)
		}
	}
	return out
}

// runMAC applies one network-server command and queues its answer.
func (n *node) runMAC(c lorawan.MACCommand) {
	switch c.CID {
	case lorawan.LinkADRReq:
		if p, ok := c.Payload.(*lorawan.LinkADRReqPayload); ok {
			n.answer(lorawan.LinkADRAns, n.applyLinkADR(p))
		}
	case lorawan.DevStatusReq:
		n.answer(lorawan.DevStatusAns, &lorawan.DevStatusAnsPayload{Battery: 200, Margin: 10})
	case lorawan.RXParamSetupReq:
		if p, ok := c.Payload.(*lorawan.RXParamSetupReqPayload); ok {
			n.rx1DROffset = int(p.DLSettings.RX1DROffset)
			if sf, ok := sfOfDR(p.DLSettings.RX2DataRate); ok {
				n.rx2SF = sf
			}
			n.answer(lorawan.RXParamSetupAns, &lorawan.RXParamSetupAnsPayload{ChannelACK: true, RX2DataRateACK: true, RX1DROffsetACK: true})
		}
	case lorawan.RekeyConf, lorawan.ResetConf:
		if c.CID == n.mac.ind {
			n.mac.indDone = true
		}
	case lorawan.RXTimingSetupReq:
		if p, ok := c.Payload.(*lorawan.RXTimingSetupReqPayload); ok {
			n.rx1Delay = time.Duration(max(1, int(p.Delay))) * time.Second
			n.answer(lorawan.RXTimingSetupAns, nil)
		}
	}
}

func (n *node) answer(cid lorawan.CID, p lorawan.MACCommandPayload) {
	n.mac.answers = append(n.mac.answers, lorawan.MACCommand{CID: cid, Payload: p})
}

// applyLinkADR takes a LinkADRReq's data rate and power (EU868: DR0–5 are
// SF12–SF7, power index 0–7) and channel mask (ChMaskCntl 6: every
// channel on; 0: the mask by channel index).
func (n *node) applyLinkADR(p *lorawan.LinkADRReqPayload) *lorawan.LinkADRAnsPayload {
	sf, drOK := sfOfDR(p.DataRate)
	powOK := p.TXPower <= 7
	maskOK := p.Redundancy.ChMaskCntl == 6 || p.Redundancy.ChMaskCntl == 0
	if drOK && powOK && maskOK {
		n.SpreadingFactor = sf
		n.TXPowerDBm = eu868MaxEIRPDBm - 2*float64(p.TXPower)
		if p.Redundancy.ChMaskCntl == 0 {
			n.channels = maskChannels(n.channels, p.ChMask)
		}
	}
	return &lorawan.LinkADRAnsPayload{ChannelMaskACK: maskOK, DataRateACK: drOK, PowerACK: powOK}
}

func maskChannels(chans []uint64, m lorawan.ChMask) []uint64 {
	var out []uint64
	for i, f := range chans {
		if i < len(m) && m[i] {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return chans // a mask that disables every channel is refused by real stacks; keep them
	}
	return out
}

// windowOf is 1 or 2: which open window tx fell in (0: none).
func (n *node) windowOf(tx air.Transmission) int {
	for i, w := range n.rx {
		if w.matches(tx) {
			return i + 1
		}
	}
	return 0
}
