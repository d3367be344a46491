// Package geo holds pure geometry and radio math shared by the oracle, the
// router and the simulator: great-circle distances, H3 cells, free-space
// path loss, noise floors, LoRa demodulation floors and time on air.
//
// geo does no I/O and never imports database, MQTT or Solana clients; a
// dependency test enforces it. It does import uber/h3-go (cgo), so the
// hotspot side, which builds with CGO_ENABLED=0, does not use it.
package geo
