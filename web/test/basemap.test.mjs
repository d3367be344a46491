import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { continuousRing, countries, simplify } from '../scripts/basemap.mjs';

test('a ring crossing the antimeridian gets continuous longitudes', () => {
  const ring = [[179, 65], [-179, 65], [-179, 66], [179, 66], [179, 65]];
  assert.deepEqual(continuousRing(ring), [[179, 65], [181, 65], [181, 66], [179, 66], [179, 65]]);
});

test('a ring around the pole is closed along the map edge', () => {
  const coast = [[-180, -84], [-90, -80], [0, -70], [90, -75], [180, -84], [-180, -84]];
  const out = continuousRing(coast);
  assert.deepEqual(out.slice(-4), [[180, -84], [180, -90], [-180, -90], [-180, -84]]);
});

test('a ring along the pole itself is dropped', () => {
  assert.equal(continuousRing([[-180, -89.999], [178.6, -89.999], [0, -89.999], [-180, -89.999]]), null);
});

test('simplify keeps the ends and the points off the line', () => {
  const line = [[0, 0], [1, 0.001], [2, 0], [3, 1], [4, 0]];
  assert.deepEqual(simplify(line, 0.01), [[0, 0], [2, 0], [3, 1], [4, 0]]);
});

test('no country spans the map after conversion', () => {
  const path = fileURLToPath(new URL('../node_modules/world-atlas/countries-50m.json', import.meta.url));
  for (const f of countries(path).features) {
    const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
    for (const ring of polys.flat()) {
      for (let i = 1; i < ring.length; i++) {
        const jump = Math.abs(ring[i][0] - ring[i - 1][0]);
        assert.ok(jump <= 180 || Math.abs(ring[i][1]) === 90, `${f.properties.name}: edge ${ring[i - 1]} → ${ring[i]}`);
      }
    }
  }
});
