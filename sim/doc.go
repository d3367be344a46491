// Package sim is a deterministic simulated world for tests, the devnet and
// benchmarks: hotspots and LoRaWAN devices placed in a real city, a radio
// model with log-distance path loss and log-normal shadowing, and devices
// that speak LoRaWAN 1.0.3 (ABP and OTAA, class A), or 1.0.2, 1.0.4 and
// 1.1 as Config.MACVersions chooses (see version.go for what each changes).
// A 1.1 device sends RekeyInd (ResetInd for ABP) in a few uplinks and
// stops when no RekeyConf comes: Stats.RekeysUnconfirmed counts those.
//
// One seed fixes everything that is not timing: the placement, every key,
// every frame's content, which hotspots hear it and at what RSSI and SNR.
// Timing comes from the clock (the real one while the world drives real
// daemons over UDP). A World is an air.Medium: the virtual packet
// forwarders hand it the downlinks their hotspots transmit, and the
// beacons (uplink polarity), which the other hotspots in range hear over
// hotspot-to-hotspot links of the same radio model (see BeaconsHeard).
package sim
