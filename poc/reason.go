package poc

// Reason says why a report was or was not rewarded. The values are stable
// snake_case strings: they are stored, served by the API and counted in
// metrics.
type Reason string

// Reasons shared by beacons and witnesses.
const (
	Valid          Reason = "valid"
	NotReciprocal  Reason = "not_reciprocal"
	UnknownHotspot Reason = "unknown_hotspot"
	NoLocation     Reason = "no_location"
	Denied         Reason = "denied"
	Early          Reason = "early"
)

// Reasons for witness reports.
const (
	NotSelected       Reason = "not_selected"
	Duplicate         Reason = "duplicate"
	SelfWitness       Reason = "self_witness"
	Late              Reason = "late"
	PayloadMismatch   Reason = "payload_mismatch"
	FrequencyMismatch Reason = "frequency_mismatch"
	DataRateMismatch  Reason = "data_rate_mismatch"
	RegionMismatch    Reason = "region_mismatch"
	ImplausibleSignal Reason = "implausible_signal"
	TooClose          Reason = "too_close"
	TooFar            Reason = "too_far"
	RSSITooStrong     Reason = "rssi_too_strong"
	BeaconInvalid     Reason = "beacon_invalid"
	NoBeacon          Reason = "no_beacon"
)

// Reasons for beacon reports.
const (
	NoChallenge      Reason = "no_challenge"
	ChallengeExpired Reason = "challenge_expired"
	WrongPayload     Reason = "wrong_payload"
	WrongFrequency   Reason = "wrong_frequency"
	WrongDataRate    Reason = "wrong_data_rate"
	WrongPower       Reason = "wrong_power"
	TxFailed         Reason = "tx_failed"
)

// AllReasons lists every reason, for metrics and API documentation.
func AllReasons() []Reason {
	return []Reason{
		Valid, NotReciprocal, UnknownHotspot, NoLocation, Denied, Early,
		NotSelected, Duplicate, SelfWitness, Late, PayloadMismatch, FrequencyMismatch, DataRateMismatch,
		RegionMismatch, ImplausibleSignal, TooClose, TooFar, RSSITooStrong, BeaconInvalid, NoBeacon,
		NoChallenge, ChallengeExpired, WrongPayload, WrongFrequency, WrongDataRate, WrongPower, TxFailed,
	}
}

// Error makes a Reason usable as an error value: errors.Is(v.Err(),
// poc.TooClose) holds for a verdict rejected as too close.
func (r Reason) Error() string { return "poc: " + string(r) + ": " + r.Explain() }

// Explain says in plain English what the reason means for the owner.
func (r Reason) Explain() string {
	if s := explainShared(r); s != "" {
		return s
	}
	if s := explainWitness(r); s != "" {
		return s
	}
	if s := explainBeacon(r); s != "" {
		return s
	}
	return "Unknown reason."
}

func explainShared(r Reason) string {
	switch r {
	case Valid:
		return "The report passed every rule and earns rewards."
	case NotReciprocal:
		return "The report is valid but earns nothing: a hotspot must have both sent a beacon that others witnessed and witnessed another hotspot's beacon within the reciprocity window (48 h by default)."
	case UnknownHotspot:
		return "The hotspot is not onboarded: the oracle has no record of it."
	case NoLocation:
		return "The hotspot has no valid asserted location; assert one with the owner CLI."
	case Denied:
		return "The hotspot is on the deny list."
	case Early:
		return "The report reached the oracle earlier than the beacon could have been sent; it cannot be genuine."
	}
	return ""
}

func explainWitness(r Reason) string {
	switch r {
	case NotSelected:
		return "The witness is valid, but the beacon already had the maximum number of witnesses that arrived earlier; only the first ones by arrival are rewarded."
	case Duplicate:
		return "The hotspot already reported this beacon; only its first report counts."
	case SelfWitness:
		return "A hotspot cannot witness its own beacon."
	case Late:
		return "The witness report arrived too long after the beacon report or after the first witness report (a relayed or replayed beacon arrives late)."
	case PayloadMismatch:
		return "The payload heard is not the beacon's payload."
	case FrequencyMismatch:
		return "The frequency heard differs from the beacon's by more than the allowed tolerance."
	case DataRateMismatch:
		return "The data rate heard is not the one the beacon was sent with."
	case RegionMismatch:
		return "The witness is asserted in a different region plan than the beaconer."
	case ImplausibleSignal:
		return "The reported RSSI or SNR is outside what a LoRa receiver can report."
	case TooClose:
		return "The witness is asserted too close to the beaconer (by default closer than 8 resolution-11 H3 cells, about 350 m) to prove any coverage."
	case TooFar:
		return "The witness is asserted farther from the beaconer than a LoRa beacon can travel (100 km by default); one of the locations is wrong."
	case RSSITooStrong:
		return "The reported signal is stronger than free-space physics allows at the asserted distance: the asserted locations, antenna gains or the report are wrong."
	case BeaconInvalid:
		return "The beacon this report witnesses was itself invalid, so no witness of it counts."
	case NoBeacon:
		return "No beacon report with this payload reached the oracle before the epoch closed: nothing the oracle challenged was sent on this payload, or its beaconer never reported it."
	}
	return ""
}

func explainBeacon(r Reason) string {
	switch r {
	case NoChallenge:
		return "The beacon report does not answer a challenge the oracle sent to this hotspot (wrong hotspot, round or entropy)."
	case ChallengeExpired:
		return "The beacon report arrived after the challenge had expired."
	case WrongPayload:
		return "The beacon payload is not the one derived from the challenge's entropy and the hotspot's key."
	case WrongFrequency:
		return "The beacon was sent on another frequency than the challenge asked for."
	case WrongDataRate:
		return "The beacon was sent at another data rate than the challenge asked for."
	case WrongPower:
		return "The beacon was sent with more power than the challenge allowed (the region's maximum EIRP minus the antenna gain)."
	case TxFailed:
		return "The packet forwarder reported that the beacon was not transmitted."
	}
	return ""
}
