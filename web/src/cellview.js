// The cell panel: GET /api/v1/cells/{cell}?epoch=N.
import { el } from './dom.js';
import { facts, table } from './panel.js';
import { clock, count, dbm, degrees, hotspotName, num, shortAddress, when } from './format.js';

// cellView shows a cell's details; onHotspot(address) opens a hotspot.
export function cellView(c, { onHotspot }) {
  const proven = c.valid_witnesses > 0;
  return [
    el('h2', {}, 'Cell ', el('code', {}, c.cell)),
    el('p', { class: `verdict ${proven ? 'valid' : 'unproven'}` },
      proven ? `Proven in epoch ${c.epoch}` : `Unproven in epoch ${c.epoch ?? '–'}: no valid witness report`),
    facts([
      ['Resolution', c.res],
      ['Centre', c.center ? `${degrees(c.center.lat)}, ${degrees(c.center.lng)}` : null],
      ['Valid witnesses', c.valid_witnesses],
      ['Best RSSI', dbm(c.best_rssi)],
      ['Median RSSI', dbm(c.median_rssi)],
      ['Last proof', when(c.last_proof_at)],
    ]),
    el('h3', {}, count((c.hotspots || []).length, 'hotspot')),
    hotspotList(c.hotspots || [], onHotspot),
    el('h3', {}, 'Witness reports'),
    el('div', { class: 'cell-witnesses' }, witnessTable(c.witnesses || [], onHotspot)),
    c.witnesses_truncated ? el('p', { class: 'muted' }, 'Only the latest reports are listed.') : null,
  ];
}

function hotspotList(hs, onHotspot) {
  if (hs.length === 0) return el('p', { class: 'muted' }, 'No hotspot is asserted in this cell.');
  return el('ul', { class: 'hotspots' }, hs.map((h) => el('li', {},
    el('a', { href: `#hotspot=${h.address}`, class: 'hotspot-link', onclick: link(onHotspot, h.address) }, hotspotName(h)),
    ' ', el('span', { class: `status ${h.status}` }, h.status),
    el('span', { class: 'muted' }, ` · ${count(h.valid_witnesses ?? 0, 'valid witness', 'valid witnesses')}, best ${dbm(h.best_rssi)}`))));
}

function witnessTable(ws, onHotspot) {
  if (ws.length === 0) return el('p', { class: 'muted' }, 'No valid witness report in this epoch.');
  const who = (addr, name) => (addr
    ? el('a', { href: `#hotspot=${addr}`, onclick: link(onHotspot, addr) }, name || shortAddress(addr))
    : el('span', { class: 'muted' }, 'unknown beacon'));
  return table(['Witness', 'heard', 'RSSI dBm', 'SNR dB', 'at'],
    ws.map((w) => [who(w.witness, w.witness_name), who(w.beaconer, w.beaconer_name), num(w.rssi), num(w.snr), clock(w.heard_at)]));
}

function link(fn, arg) {
  return (ev) => {
    ev.preventDefault();
    fn(arg);
  };
}

// cellSummary stands in for the details when the oracle cannot give them:
// what the coverage response said about the cell.
export function cellSummary(props, err) {
  return [
    el('h2', {}, 'Cell ', el('code', {}, props.cell)),
    facts([
      ['Hotspots', props.hotspots],
      ['Valid witnesses', props.valid_witnesses],
      ['Best RSSI', dbm(props.best_rssi)],
    ]),
    el('p', { class: 'error' }, `Details unavailable: ${err.message}`),
  ];
}
