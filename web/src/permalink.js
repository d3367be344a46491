// The permalink: view, epoch and selection in the URL's hash,
//   #map=ZOOM/LAT/LNG&epoch=N&cell=H3 (or &hotspot=ADDRESS)

// parse reads a hash; missing or unreadable parts are null.
export function parse(hash) {
  const q = new URLSearchParams(hash.replace(/^#/, ''));
  return {
    view: parseView(q.get('map')),
    epoch: parseEpoch(q.get('epoch')),
    selection: parseSelection(q),
  };
}

function parseView(s) {
  if (!s) return null;
  const [zoom, lat, lng] = s.split('/').map(Number);
  if (![zoom, lat, lng].every(Number.isFinite)) return null;
  if (zoom < 0 || zoom > 24 || Math.abs(lat) > 90 || Math.abs(lng) > 180) return null;
  return { zoom, lat, lng };
}

function parseEpoch(s) {
  return s != null && /^\d+$/.test(s) ? Number(s) : null;
}

function parseSelection(q) {
  if (q.get('cell')) return { kind: 'cell', id: q.get('cell') };
  if (q.get('hotspot')) return { kind: 'hotspot', id: q.get('hotspot') };
  return null;
}

// format writes a hash; view numbers are rounded to what a zoom level shows.
export function format({ view, epoch, selection }) {
  const parts = [];
  if (view) {
    const digits = Math.max(2, Math.ceil(Math.log10(2 ** view.zoom)) + 1);
    parts.push(`map=${view.zoom.toFixed(2)}/${view.lat.toFixed(digits)}/${view.lng.toFixed(digits)}`);
  }
  if (epoch != null) parts.push(`epoch=${epoch}`);
  if (selection) parts.push(`${selection.kind}=${encodeURIComponent(selection.id)}`);
  return `#${parts.join('&')}`;
}
