// How values read on the page.

// shortAddress keeps the ends of a base58 address: 8tNqS1…7wE2c.
export function shortAddress(a) {
  return a && a.length > 14 ? `${a.slice(0, 6)}…${a.slice(-5)}` : a || '';
}

// hotspotName is a hotspot's human name, or its short address before names exist.
export function hotspotName(h) {
  return h.name || shortAddress(h.address);
}

export function dbm(v) {
  return v == null ? '–' : `${Number(v).toFixed(1)} dBm`;
}

export function num(v) {
  return v == null ? '–' : Number(v).toFixed(1);
}

export function db(v) {
  return v == null ? '–' : `${Number(v).toFixed(1)} dB`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

export function when(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

export function clock(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : timeOnly.format(d);
}

export function count(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

export function degrees(v) {
  return v == null ? '–' : Number(v).toFixed(5);
}
