import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cellToBoundary, latLngToCell } from 'h3-js';
import { bboxOf, cellPolygon, fetchCoverage, isProven, resForZoom, toGeoJSON } from '../src/coverage.js';

const bounds = (w, s, e, n) => ({ getWest: () => w, getSouth: () => s, getEast: () => e, getNorth: () => n });

test('the resolution follows the zoom', () => {
  assert.deepEqual([1, 5, 6, 9, 11, 13, 16].map(resForZoom), [5, 5, 6, 7, 8, 9, 10]);
});

test('the bbox stays within the API ranges', () => {
  assert.deepEqual(bboxOf(bounds(8.4, 47.3, 8.6, 47.4)), [8.4, 47.3, 8.6, 47.4]);
  assert.deepEqual(bboxOf(bounds(-400, -95, 400, 95)), [-180, -90, 180, 90]);
  assert.deepEqual(bboxOf(bounds(170, -20, 190, -10)), [170, -20, -170, -10]); // across the antimeridian
  assert.deepEqual(bboxOf(bounds(-190, 0, -170, 10)), [170, 0, -170, 10]);
});

test('cells become polygons; unknown cells are skipped', () => {
  const fc = toGeoJSON([
    { cell: '881f8edb31fffff', hotspots: 1, valid_witnesses: 3, best_rssi: -110, proven: true },
    { cell: 'not-a-cell', hotspots: 1, valid_witnesses: 0, best_rssi: null, proven: false },
  ]);
  assert.equal(fc.features.length, 1);
  assert.equal(fc.features[0].geometry.coordinates[0].length, 7); // a hexagon, closed
  assert.equal(fc.features[0].properties.proven, true);
});

test('proven falls back to valid witnesses', () => {
  assert.equal(isProven({ valid_witnesses: 2 }), true);
  assert.equal(isProven({ valid_witnesses: 0 }), false);
  assert.equal(isProven({ valid_witnesses: 2, proven: false }), false);
});

test('a cell on the antimeridian has continuous longitudes', () => {
  const cell = latLngToCell(-16.5, 179.999, 5);
  const raw = cellToBoundary(cell, true);
  assert.ok(raw.some((p, i) => i > 0 && Math.abs(p[0] - raw[i - 1][0]) > 180), 'the cell should cross the antimeridian');
  const ring = cellPolygon(cell).coordinates[0];
  for (let i = 1; i < ring.length; i++) assert.ok(Math.abs(ring[i][0] - ring[i - 1][0]) < 180);
});

test('a box too big for the resolution is asked again coarser', async (t) => {
  const asked = [];
  t.mock.method(globalThis, 'fetch', async (path) => {
    const res = Number(new URL(path, 'http://oracle').searchParams.get('res'));
    asked.push(res);
    if (res > 6) return Response.json({ error: `the box holds too many res-${res} cells` }, { status: 400 });
    return Response.json([{ cell: '861f8ed97ffffff', hotspots: 2, valid_witnesses: 0, best_rssi: null, proven: false }],
      { headers: { 'Hexnet-Epoch': '4' } });
  });
  const got = await fetchCoverage({ res: 8, bbox: [8, 47, 9, 48], epoch: null });
  assert.deepEqual(asked, [8, 7, 6]);
  assert.equal(got.res, 6);
  assert.equal(got.epoch, 4);
  assert.equal(got.cells.length, 1);
});

test('other errors are not retried', async (t) => {
  t.mock.method(globalThis, 'fetch', async () => Response.json({ error: 'boom' }, { status: 500 }));
  await assert.rejects(fetchCoverage({ res: 8, bbox: [8, 47, 9, 48], epoch: 2 }), { status: 500, message: 'boom' });
});
