// Basemap: Natural Earth countries from world-atlas, TopoJSON turned into
// GeoJSON at build time so the page needs no tile server.
import { readFileSync } from 'node:fs';
import { feature } from 'topojson-client';

// Coordinates are rounded to this many decimals (0.01° is about 1 km, the
// size of the 1:50m data's details), and each border is simplified to
// within TOLERANCE degrees (about 2 km): the file shrinks from 550 KB
// gzipped to 245 KB, and a basemap under coverage cells needs no more.
const PRECISION = 2;
const TOLERANCE = 0.02;

// countries reads world-atlas's countries-50m.json and returns a GeoJSON
// FeatureCollection whose rings MapLibre can draw.
export function countries(path) {
  const topology = simplified(JSON.parse(readFileSync(path, 'utf8')));
  const fc = feature(topology, topology.objects.countries);
  return {
    type: 'FeatureCollection',
    features: fc.features.map((f) => ({
      type: 'Feature',
      properties: { name: f.properties.name },
      geometry: continuousGeometry(f.geometry),
    })),
  };
}

// simplified decodes the topology's shared arcs and simplifies each one,
// so neighbouring countries keep the very same border.
function simplified(topology) {
  const { scale, translate } = topology.transform;
  const arcs = topology.arcs.map((arc) => {
    let x = 0;
    let y = 0;
    const points = arc.map(([dx, dy]) => {
      x += dx;
      y += dy;
      return [x * scale[0] + translate[0], y * scale[1] + translate[1]];
    });
    return simplify(points, TOLERANCE);
  });
  return { ...topology, transform: undefined, arcs };
}

// simplify is Douglas–Peucker: the points within tolerance of the line
// between the ends are dropped, recursively. The ends are kept.
export function simplify(points, tolerance) {
  if (points.length <= 2) return points;
  const keep = new Uint8Array(points.length);
  keep[0] = keep[points.length - 1] = 1;
  const stack = [[0, points.length - 1]];
  while (stack.length) {
    const [a, b] = stack.pop();
    let far = -1;
    let max = tolerance;
    for (let i = a + 1; i < b; i++) {
      const d = distance(points[i], points[a], points[b]);
      if (d > max) [far, max] = [i, d];
    }
    if (far >= 0) {
      keep[far] = 1;
      stack.push([a, far], [far, b]);
    }
  }
  return points.filter((_, i) => keep[i]);
}

// distance from p to the segment a–b, in degrees (planar: good enough to
// decide what a map at this scale can show).
function distance(p, a, b) {
  const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2));
  return Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy);
}

function continuousGeometry(g) {
  const polygon = (rings) => rings.map(continuousRing).filter(Boolean);
  switch (g.type) {
    case 'Polygon':
      return { type: g.type, coordinates: polygon(g.coordinates) };
    case 'MultiPolygon':
      return { type: g.type, coordinates: g.coordinates.map(polygon).filter((p) => p.length > 0) };
    default:
      return g;
  }
}

// continuousRing removes the 360° jumps of a ring that crosses the
// antimeridian (Russia, Fiji): each longitude is moved by ±360 so that no
// edge spans more than 180°, leaving longitudes beyond ±180 that MapLibre
// wraps onto the other side. Without it the edge from 179° to -179° is
// drawn the long way round, a band across the whole map.
//
// World-atlas draws Antarctica the spherical way: a ring along the pole and
// the coast as its hole. On a flat map the pole ring is a line (it is
// dropped, null) and the coast, which goes once around the pole, is closed
// along the map's bottom edge instead.
export function continuousRing(ring) {
  if (ring.every(([, lat]) => Math.abs(lat) > 89.9)) return null;
  const out = [];
  let shift = 0;
  for (let i = 0; i < ring.length; i++) {
    const [lng, lat] = ring[i];
    if (i > 0) {
      const d = lng + shift - out[i - 1][0];
      if (d > 180) shift -= 360;
      else if (d < -180) shift += 360;
    }
    out.push([lng + shift, lat]);
  }
  const first = out[0];
  const last = out[out.length - 1];
  if (Math.abs(last[0] - first[0]) > 180) {
    const pole = out.reduce((sum, p) => sum + p[1], 0) < 0 ? -90 : 90;
    out.push([last[0], pole], [first[0], pole], first);
  }
  const rounded = dedupe(out.map(([lng, lat]) => [round(lng), round(lat)]));
  return rounded.length >= 4 ? rounded : null;
}

// dedupe drops points that rounding made equal to the one before.
function dedupe(ring) {
  return ring.filter((p, i) => i === 0 || p[0] !== ring[i - 1][0] || p[1] !== ring[i - 1][1]);
}

function round(v) {
  const f = 10 ** PRECISION;
  return Math.round(v * f) / f;
}
