// The map's style: a plain background with the countries, the coverage
// cells and the hotspots. No tiles, fonts or glyphs are loaded from
// anywhere: labels are HTML.

export const COLORS = {
  sea: '#d6e4ec',
  land: '#f7f5ef',
  border: '#b9b3a7',
  unproven: '#8a8f98',
  online: '#1a9850',
  offline: '#8a8f98',
  unknown: '#4575b4',
  selected: '#111111',
};

// RSSI_STOPS colour proven cells by their best witness RSSI (dBm), weak to
// strong; the legend shows the same scale.
export const RSSI_STOPS = [
  [-130, '#440154'],
  [-115, '#3b528b'],
  [-100, '#21918c'],
  [-85, '#5ec962'],
  [-70, '#fde725'],
];

export const LAYERS = {
  proven: 'coverage-proven',
  unproven: 'coverage-unproven',
  provenOutline: 'coverage-proven-outline',
  unprovenOutline: 'coverage-unproven-outline',
  hotspots: 'hotspots',
  selection: 'selection',
};

export function baseStyle(basemapURL) {
  return {
    version: 8,
    sources: {
      countries: { type: 'geojson', data: basemapURL, attribution: 'Natural Earth' },
    },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': COLORS.sea } },
      { id: 'countries', type: 'fill', source: 'countries', paint: { 'fill-color': COLORS.land } },
      {
        id: 'borders', type: 'line', source: 'countries',
        paint: { 'line-color': COLORS.border, 'line-width': ['interpolate', ['linear'], ['zoom'], 1, 0.4, 8, 1.2] },
      },
    ],
  };
}

const empty = () => ({ type: 'FeatureCollection', features: [] });

// addDataLayers adds the coverage, hotspot and selection layers above the
// basemap.
export function addDataLayers(map) {
  map.addImage('hatch', hatch(8, COLORS.unproven));
  map.addSource('coverage', { type: 'geojson', data: empty() });
  map.addSource('hotspots', { type: 'geojson', data: empty() });
  map.addSource('selection', { type: 'geojson', data: empty() });
  map.addLayer({
    id: LAYERS.proven, type: 'fill', source: 'coverage', filter: ['==', ['get', 'proven'], true],
    paint: { 'fill-color': rssiColor(), 'fill-opacity': 0.6 },
  });
  map.addLayer({
    id: LAYERS.unproven, type: 'fill', source: 'coverage', filter: ['!=', ['get', 'proven'], true],
    paint: { 'fill-pattern': 'hatch', 'fill-opacity': 0.9 },
  });
  map.addLayer({
    id: LAYERS.provenOutline, type: 'line', source: 'coverage', filter: ['==', ['get', 'proven'], true],
    paint: { 'line-color': rssiColor(), 'line-width': 1 },
  });
  map.addLayer({
    id: LAYERS.unprovenOutline, type: 'line', source: 'coverage', filter: ['!=', ['get', 'proven'], true],
    paint: { 'line-color': COLORS.unproven, 'line-width': 1, 'line-dasharray': [2, 2] },
  });
  map.addLayer({
    id: LAYERS.selection, type: 'line', source: 'selection',
    paint: { 'line-color': COLORS.selected, 'line-width': 3 },
  });
  map.addLayer({
    id: LAYERS.hotspots, type: 'circle', source: 'hotspots',
    paint: {
      'circle-radius': ['interpolate', ['linear'], ['zoom'], 4, 2.5, 10, 5, 15, 8],
      'circle-color': ['match', ['get', 'status'], 'online', COLORS.online, 'offline', COLORS.offline, COLORS.unknown],
      'circle-stroke-color': '#ffffff',
      'circle-stroke-width': 1.5,
    },
  });
}

function rssiColor() {
  return ['interpolate', ['linear'], ['coalesce', ['get', 'best_rssi'], -130], ...RSSI_STOPS.flat()];
}

// hatch draws the diagonal stripes that mark unproven cells.
function hatch(size, color) {
  const data = new Uint8Array(size * size * 4);
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const on = (x + y) % size < 2;
      data.set(on ? [r, g, b, 220] : [r, g, b, 40], (y * size + x) * 4);
    }
  }
  return { width: size, height: size, data };
}

// legendGradient is the CSS gradient of RSSI_STOPS for the legend.
export function legendGradient() {
  const [lo, hi] = [RSSI_STOPS[0][0], RSSI_STOPS[RSSI_STOPS.length - 1][0]];
  const stops = RSSI_STOPS.map(([v, c]) => `${c} ${(((v - lo) / (hi - lo)) * 100).toFixed(0)}%`);
  return `linear-gradient(to right, ${stops.join(', ')})`;
}
