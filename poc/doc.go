// Package poc holds hexnet's proof-of-coverage rules as pure functions: the
// challenge a hotspot must answer, the verdict on every beacon and witness
// report with the reason an owner can read, witness selection, reciprocity,
// HIP 15 reward units and HIP 17/104 hex-density scaling.
//
// poc does no I/O and never imports database, MQTT or Solana clients (a
// dependency test enforces it). Its inputs are domain structs converted
// from the signed wire reports at the oracle's edge, with signatures
// already checked; every threshold is a named field of Params.
//
// Determinism: every verdict depends only on its inputs. Where witnesses of
// one beacon interact (duplicates, the first-witness clock, selection) they
// are ordered by arrival at the oracle (ReceivedAt, then ID), never by the
// order of the input slice. Reward units and density scales are exact
// rationals rounded once to Fixed, so an epoch's manifest is bit-for-bit
// reproducible on any machine.
package poc
