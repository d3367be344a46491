// The hotspot page: GET /api/v1/hotspots/{address}, its reports in an
// epoch with each verdict explained, and its rewards with their Solana
// transactions.
import { el } from './dom.js';
import { copyButton, facts, table } from './panel.js';
import { clock, count, db, dbm, degrees, hotspotName, shortAddress, when } from './format.js';

// EXPLORER is where a reward transaction's signature links to; override it
// with localStorage "hexnet.explorer" (a URL with {signature}).
const EXPLORER = 'https://explorer.solana.com/tx/{signature}?cluster=custom';

// hotspotView shows a hotspot; parts that failed to load are reported in
// place. onLocate(lng, lat) moves the map to it.
export function hotspotView({ hotspot: h, reports, rewards }, { onLocate }) {
  return [
    el('h2', { class: 'hotspot-name' }, hotspotName(h)),
    el('p', { class: 'address' }, el('code', {}, h.address), ' ', copyButton(h.address)),
    facts([
      ['Status', el('span', { class: `status ${h.status}` }, h.status)],
      ['Owner', h.owner ? el('code', { title: h.owner }, shortAddress(h.owner)) : null],
      ['Location', h.lat != null ? locateLink(h, onLocate) : 'not asserted'],
      ['Cell', h.cell ? el('code', {}, h.cell) : null],
      ['Antenna', h.gain_dbi != null ? `${h.gain_dbi} dBi, ${h.elevation_m ?? 0} m` : null],
      ['Region', h.region],
      ['Onboarded', when(h.onboarded_at)],
      ['Denied', h.denied ? 'yes: this hotspot earns nothing' : null],
    ]),
    section('Verdicts', reports, reportsView),
    section('Rewards', rewards, rewardsView),
    section('Location history', { value: h.locations || [] }, locationsView),
  ];
}

function locateLink(h, onLocate) {
  return el('a', {
    href: '#', class: 'locate',
    onclick: (ev) => {
      ev.preventDefault();
      onLocate(h.lng, h.lat);
    },
  }, `${degrees(h.lat)}, ${degrees(h.lng)}`);
}

// section renders a part that was loaded separately: { value } or { error }.
function section(title, part, view) {
  const body = part.error ? el('p', { class: 'error' }, `Could not load: ${part.error.message}`) : view(part.value);
  return el('section', { class: `part part-${title.toLowerCase().replace(/ /g, '-')}` }, el('h3', {}, title), body);
}

function reportsView(r) {
  const total = r.beacons.length + r.witnesses.length;
  const intro = el('p', { class: 'muted' }, `Epoch ${r.epoch} (${r.status}): ${count(r.beacons.length, 'beacon')}, ` +
    `${count(r.witnesses.length, 'witness report')}.`);
  if (total === 0) return [intro, el('p', { class: 'muted' }, 'No report from this hotspot in this epoch.')];
  return [
    intro,
    el('ul', { class: 'verdicts' },
      r.beacons.map((b) => verdict(b, 'Beacon', `${b.data_rate}, ${b.power_dbm} dBm, sent ${clock(b.tx_at)}`)),
      r.witnesses.map((w) => verdict(w, 'Witness',
        `${dbm(w.rssi)}, SNR ${db(w.snr)}, heard ${clock(w.heard_at)}${w.selected ? ', selected for rewards' : ''}`))),
  ];
}

function verdict(rep, kind, detail) {
  const state = rep.valid == null ? 'pending' : rep.valid ? 'valid' : 'invalid';
  return el('li', { class: `verdict ${state}`, dataset: { reason: rep.reason } },
    el('div', { class: 'verdict-head' },
      el('span', { class: 'badge' }, state), ' ', el('strong', {}, kind),
      rep.reason === 'valid' ? null : [' ', el('code', { class: 'reason' }, rep.reason)]),
    el('div', { class: 'explanation' }, rep.explanation),
    el('div', { class: 'muted' }, detail));
}

function rewardsView(r) {
  const rows = r.rewards || [];
  if (rows.length === 0) return el('p', { class: 'muted' }, 'No reward yet: rewards appear when an epoch closes.');
  return el('ul', { class: 'rewards' }, rows.map((x) => el('li', { dataset: { epoch: x.epoch } },
    el('div', {}, el('strong', {}, `Epoch ${x.epoch}`), ` · ${x.status} · `, el('strong', {}, units(x.amount)), ' base units'),
    el('div', { class: 'muted' },
      `beacons ${units(x.beacon_units)} · witnesses ${units(x.witness_units)} · data ${units(x.data_units)}`),
    el('div', {}, signatures(x.signatures || [])))));
}

const units = (n) => Number(n).toLocaleString('en-US');

function signatures(sigs) {
  if (sigs.length === 0) return el('span', { class: 'muted' }, 'not paid yet');
  return el('span', { class: 'sigs' }, sigs.map((s) => el('span', { class: 'sig' },
    el('a', { href: explorerURL(s), target: '_blank', rel: 'noopener', title: s }, shortAddress(s)), ' ', copyButton(s))));
}

function explorerURL(signature) {
  let tmpl = EXPLORER;
  try {
    tmpl = localStorage.getItem('hexnet.explorer') || EXPLORER;
  } catch {
    // storage disabled: the default
  }
  return tmpl.replace('{signature}', encodeURIComponent(signature));
}

function locationsView(ls) {
  if (ls.length === 0) return el('p', { class: 'muted' }, 'No location asserted.');
  return table(['Asserted', 'Location', 'Gain', 'Elevation', 'Nonce'],
    [...ls].reverse().map((l) => [when(l.asserted_at), `${degrees(l.lat)}, ${degrees(l.lng)}`,
      `${l.gain_dbi} dBi`, `${l.elevation_m} m`, l.nonce]));
}
