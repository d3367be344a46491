// Coverage: H3 cells from GET /api/v1/coverage, turned into polygons here.
import { cellToBoundary, isValidCell } from 'h3-js';
import { get, query, ApiError } from './api.js';

// resForZoom picks the H3 resolution for a zoom level: coarse cells when
// zoomed out (thousands of fine cells are slow to draw in software WebGL),
// res 10 at street level.
export function resForZoom(zoom) {
  if (zoom < 6) return 5;
  if (zoom < 8) return 6;
  if (zoom < 10) return 7;
  if (zoom < 12) return 8;
  if (zoom < 14) return 9;
  return 10;
}

// MIN_RES is the coarsest resolution tried when the oracle finds a box too
// big for the finer ones.
const MIN_RES = 0;

// bboxOf is the map's visible area as minLng,minLat,maxLng,maxLat within
// the API's ranges; minLng > maxLng when it crosses the antimeridian.
export function bboxOf(bounds) {
  const west = bounds.getWest();
  const east = bounds.getEast();
  const south = Math.max(-90, bounds.getSouth());
  const north = Math.min(90, bounds.getNorth());
  if (east - west >= 360) return [-180, south, 180, north];
  return [wrapLng(west), south, wrapLng(east), north].map(round6);
}

function wrapLng(lng) {
  const w = ((((lng + 180) % 360) + 360) % 360) - 180;
  return w === -180 && lng > 0 ? 180 : w;
}

const round6 = (v) => Math.round(v * 1e6) / 1e6;

export function coveragePath({ res, bbox, epoch, format }) {
  return `/api/v1/coverage${query({ res, bbox: bbox.join(','), epoch, format })}`;
}

// fetchCoverage loads the cells in bbox at res, or at a coarser resolution
// when the oracle answers 400 (a box too big for res). It resolves to
// { cells, res, epoch } where epoch is the one the oracle used (null when
// none has closed).
export async function fetchCoverage({ res, bbox, epoch, signal }) {
  for (let r = res; ; r--) {
    try {
      const { body, headers } = await get(coveragePath({ res: r, bbox, epoch }), { signal });
      const e = headers.get('Hexnet-Epoch');
      return { cells: body || [], res: r, epoch: e == null ? null : Number(e) };
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 400 && r > MIN_RES)) throw err;
    }
  }
}

// isProven: a cell is proven when its hotspots made valid witness reports.
export function isProven(c) {
  return c.proven ?? c.valid_witnesses > 0;
}

// toGeoJSON turns API cells into polygon features; properties keep the
// API's fields so the map can colour and the panel describe them.
export function toGeoJSON(cells) {
  const features = [];
  for (const c of cells) {
    if (!isValidCell(c.cell)) continue;
    features.push({
      type: 'Feature',
      properties: {
        cell: c.cell,
        hotspots: c.hotspots,
        valid_witnesses: c.valid_witnesses,
        best_rssi: c.best_rssi,
        proven: isProven(c),
      },
      geometry: cellPolygon(c.cell),
    });
  }
  return { type: 'FeatureCollection', features };
}

// cellPolygon is a cell's boundary with continuous longitudes, so a cell
// on the antimeridian is not drawn across the whole map.
export function cellPolygon(cell) {
  const ring = cellToBoundary(cell, true);
  for (let i = 1; i < ring.length; i++) {
    const d = ring[i][0] - ring[i - 1][0];
    if (d > 180) ring[i][0] -= 360;
    else if (d < -180) ring[i][0] += 360;
  }
  return { type: 'Polygon', coordinates: [ring] };
}
