// build.mjs bundles the coverage map into dist/: index.html, the app's
// JavaScript and CSS, MapLibre's worker and the basemap GeoJSON, each
// stored gzip-compressed only (name.gz); the Go package web embeds them and
// serves them compressed or not. Asset names carry a hash of their content
// (index.html does not), so browsers may keep them forever. The same
// sources and packages give the same bytes.
//
//	node web/build.mjs
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants } from 'node:zlib';
import * as esbuild from 'esbuild';
import { countries } from './scripts/basemap.mjs';

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, 'dist');
const modules = join(root, 'node_modules');

// kept in dist/ (committed): the page served before the real one is built
const PLACEHOLDER = 'placeholder.html';

function hashed(name, ext, bytes) {
  const h = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
  return `${name}-${h}${ext}`;
}

// assets that are not bundled: the worker MapLibre starts from its own
// URL, and the countries.
function staticAssets() {
  const worker = readFileSync(join(modules, 'maplibre-gl/dist/maplibre-gl-worker.mjs'));
  const basemap = Buffer.from(JSON.stringify(countries(join(modules, 'world-atlas/countries-50m.json'))));
  return {
    worker: { name: hashed('maplibre-gl-worker', '.mjs', worker), bytes: worker },
    basemap: { name: hashed('countries', '.json', basemap), bytes: basemap },
  };
}

async function bundle(assets) {
  const result = await esbuild.build({
    entryPoints: { app: join(root, 'src/main.js') },
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    legalComments: 'eof',
    entryNames: '[name]',
    outdir: dist,
    write: false,
    logLevel: 'warning',
    define: {
      HEXNET_WORKER_URL: JSON.stringify(assets.worker.name),
      HEXNET_BASEMAP_URL: JSON.stringify(assets.basemap.name),
    },
  });
  return result.outputFiles.map((f) => {
    const [, name, ext] = f.path.slice(dist.length + 1).match(/^(.*?)(\.[a-z]+)$/);
    const bytes = Buffer.from(f.contents);
    return { name: hashed(name, ext, bytes), bytes };
  });
}

function page(files) {
  const js = files.find((f) => f.name.endsWith('.js')).name;
  const css = files.find((f) => f.name.endsWith('.css')).name;
  const html = readFileSync(join(root, 'src/index.html'), 'utf8')
    .replace('{{css}}', css)
    .replace('{{js}}', js);
  return { name: 'index.html', bytes: Buffer.from(html) };
}

function clean() {
  mkdirSync(dist, { recursive: true });
  for (const name of readdirSync(dist)) {
    if (name !== PLACEHOLDER) rmSync(join(dist, name), { recursive: true });
  }
}

function write(files) {
  let raw = 0;
  let gz = 0;
  for (const f of files) {
    const z = gzipSync(f.bytes, { level: constants.Z_BEST_COMPRESSION });
    writeFileSync(join(dist, f.name + '.gz'), z);
    raw += f.bytes.length;
    gz += z.length;
    console.log(`  ${f.name.padEnd(40)} ${kb(f.bytes.length).padStart(9)} ${kb(z.length).padStart(9)} gzip`);
  }
  console.log(`  ${'total'.padEnd(40)} ${kb(raw).padStart(9)} ${kb(gz).padStart(9)} gzip`);
}

function kb(n) {
  return `${(n / 1024).toFixed(1)} KB`;
}

const started = Date.now();
const assets = staticAssets();
const bundled = await bundle(assets);
clean();
console.log('web/dist:');
write([page(bundled), ...bundled, assets.worker, assets.basemap]);
console.log(`built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
