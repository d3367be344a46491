// Browser test of the coverage map against a running oracle (the devnet):
//
//	node web/e2e/map.mjs http://127.0.0.1:PORT/
//
// It drives Debian's Chromium (HEXNET_CHROMIUM, default /usr/bin/chromium)
// headless with software WebGL, waits for the page's own idle signal
// (<body data-state="idle">, set after MapLibre's idle event) rather than
// sleeping, and saves screenshots to HEXNET_E2E_ARTIFACTS (default
// web/e2e/artifacts). It exits non-zero on the first failed check. The
// oracle must have closed an epoch with a proven cell.
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const base = new URL(process.argv[2] || process.env.HEXNET_URL || 'http://127.0.0.1:8080/');
const artifacts = resolve(process.env.HEXNET_E2E_ARTIFACTS || join(here, 'artifacts'));
const executablePath = process.env.HEXNET_CHROMIUM || '/usr/bin/chromium';
const TIMEOUT = 20000;
const CELL_LAYERS = ['coverage-proven', 'coverage-unproven'];

const started = Date.now();
const log = (msg) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${msg}`);

function check(ok, msg) {
  if (!ok) throw new Error(`FAIL: ${msg}`);
  log(`ok   ${msg}`);
}

async function api(path) {
  const resp = await fetch(new URL(path, base));
  return { status: resp.status, body: await resp.json().catch(() => null) };
}

// world is what the oracle holds, found through its API: a closed epoch,
// a proven cell and a hotspot with judged reports in that epoch.
async function world() {
  const epochs = (await api('/api/v1/epochs')).body.filter((e) => e.status !== 'open');
  check(epochs.length > 0, `the oracle has closed ${epochs.length} epoch(s)`);
  const epoch = Math.max(...epochs.map((e) => e.epoch));
  const hotspots = (await api('/api/v1/hotspots')).body.filter((h) => h.lat != null);
  let reporter = null;
  for (const h of hotspots) {
    const r = (await api(`/api/v1/hotspots/${h.address}/reports?epoch=${epoch}`)).body;
    if (r && r.beacons.length + r.witnesses.length > 0) {
      reporter = h;
      break;
    }
  }
  check(reporter != null, `a hotspot has reports in epoch ${epoch} (${reporter && reporter.name})`);
  return { epoch, reporter };
}

// watch fails the run on script errors and on requests that leave the
// oracle's origin: the page must work with no internet.
function watch(page, problems) {
  page.on('pageerror', (err) => problems.push(`script error: ${err.message}`));
  page.on('request', (req) => {
    const u = new URL(req.url());
    if (!['data:', 'blob:'].includes(u.protocol) && u.origin !== base.origin) problems.push(`request to ${u.href}`);
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') log(`console: ${msg.text()}`);
  });
}

// settled waits until the page is idle after more than `after` loads.
async function settled(page, after = 0) {
  await page.waitForFunction((n) => document.body.dataset.state === 'idle' && Number(document.body.dataset.settled) > n,
    after, { timeout: TIMEOUT });
}

const loads = (page) => page.evaluate(() => Number(document.body.dataset.settled || 0));

async function shot(page, name) {
  const path = join(artifacts, name);
  await page.screenshot({ path });
  log(`screenshot ${path}`);
}

// cellPoint finds a point on screen inside a drawn cell (proven if
// possible) with no hotspot dot under a finger there.
function cellPoint(page) {
  return page.evaluate((layers) => {
    const map = window.hexnetMap;
    const features = map.queryRenderedFeatures({ layers });
    features.sort((a, b) => Number(b.properties.proven) - Number(a.properties.proven));
    for (const f of features) {
      const ring = f.geometry.coordinates[0];
      const c = ring.slice(1).reduce((s, p) => [s[0] + p[0], s[1] + p[1]], [0, 0]).map((v) => v / (ring.length - 1));
      for (const v of ring) {
        for (const t of [0.5, 0.3, 0.7, 0.15]) {
          const p = map.project([c[0] + (v[0] - c[0]) * t, c[1] + (v[1] - c[1]) * t]);
          const box = [[p.x - 12, p.y - 12], [p.x + 12, p.y + 12]];
          const under = map.queryRenderedFeatures([p.x, p.y], { layers }).map((g) => g.properties.cell);
          if (under[0] === f.properties.cell && map.queryRenderedFeatures(box, { layers: ['hotspots'] }).length === 0
            && p.x > 20 && p.y > 120 && p.x < innerWidth - 20 && p.y < innerHeight * 0.45) {
            return { x: p.x, y: p.y, cell: f.properties.cell, proven: f.properties.proven };
          }
        }
      }
    }
    return null;
  }, CELL_LAYERS);
}

async function mapLoads(page, url) {
  await page.goto(url);
  await settled(page);
  const drawn = await page.evaluate((layers) => {
    const fs = window.hexnetMap.queryRenderedFeatures({ layers });
    return { cells: fs.length, proven: fs.filter((f) => f.properties.proven).length };
  }, CELL_LAYERS);
  check(drawn.cells > 0, `the map draws ${drawn.cells} cell(s)`);
  check(drawn.proven > 0, `${drawn.proven} of them proven`);
  check(await page.isVisible('.legend-row .swatch.unproven'), 'the legend names unproven cells');
}

async function clickCell(page, tap = false) {
  const at = await cellPoint(page);
  check(at != null, 'a cell can be clicked away from hotspot dots');
  const before = await loads(page);
  if (tap) await page.touchscreen.tap(at.x, at.y);
  else await page.mouse.click(at.x, at.y);
  await settled(page, before);
  await page.waitForSelector('#panel:not([hidden])', { timeout: TIMEOUT });
  const heading = await page.textContent('#panel-body h2');
  check(heading.includes(at.cell), `${tap ? 'tapping' : 'clicking'} cell ${at.cell} opens its details`);
  check(await page.isVisible('#panel-body .cell-witnesses') && !(await page.isVisible('#panel-body .error')),
    'the cell panel lists its hotspots and witnesses');
  check(page.url().includes(`cell=${at.cell}`), 'the URL names the selected cell');
  return at;
}

async function searchHotspot(page, { reporter }) {
  const name = reporter.name;
  const part = name.slice(0, -3); // the oracle matches prefixes
  const before = await loads(page);
  await page.fill('#search', part);
  const item = page.locator(`#search-results .result[data-address="${reporter.address}"]`);
  await item.waitFor({ timeout: TIMEOUT });
  check(true, `searching "${part}" lists ${name}`);
  await item.click();
  await settled(page, before);
  await page.waitForSelector('#panel-body .part-verdicts li.verdict', { timeout: TIMEOUT });
  const title = await page.textContent('#panel-body .hotspot-name');
  check(title === name, `its page opens (${title})`);
  const verdicts = await page.$$eval('#panel-body .part-verdicts li.verdict', (lis) => lis.map((li) => ({
    state: li.querySelector('.badge').textContent,
    reason: li.dataset.reason,
    explanation: li.querySelector('.explanation').textContent,
  })));
  check(verdicts.length > 0 && verdicts.every((v) => v.reason && v.explanation.length > 10 && v.state !== 'pending'),
    `it shows ${verdicts.length} verdict(s) with reasons explained, e.g. ${verdicts[0].state} ${verdicts[0].reason}: "${verdicts[0].explanation}"`);
  const rewards = await page.$$eval('#panel-body .part-rewards .rewards li', (lis) => lis.length);
  check(rewards > 0 && !(await page.isVisible('#panel-body .part-rewards .error')), `it lists rewards for ${rewards} epoch(s)`);
  check(page.url().includes(`hotspot=${reporter.address}`), 'the URL names the hotspot');
}

async function permalink(browser, epoch, cell) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const problems = [];
  watch(page, problems);
  const url = new URL(`/#map=12.50/47.37600/8.54100&epoch=${epoch}&cell=${cell}`, base).href;
  await page.goto(url);
  await settled(page);
  const view = await page.evaluate(() => ({ c: window.hexnetMap.getCenter(), z: window.hexnetMap.getZoom() }));
  check(Math.abs(view.z - 12.5) < 0.01 && Math.abs(view.c.lat - 47.376) < 1e-4 && Math.abs(view.c.lng - 8.541) < 1e-4,
    `a permalink restores the view (zoom ${view.z.toFixed(2)} at ${view.c.lat.toFixed(5)}, ${view.c.lng.toFixed(5)})`);
  check(await page.inputValue('#epoch') === String(epoch), `and the epoch (${epoch})`);
  await page.waitForSelector('#panel:not([hidden]) h2', { timeout: TIMEOUT });
  check((await page.textContent('#panel-body h2')).includes(cell), 'and the selected cell');
  await page.close();
  return problems;
}

async function phone(browser) {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
  });
  const page = await context.newPage();
  const problems = [];
  watch(page, problems);
  await mapLoads(page, base.href);
  await shot(page, 'phone-map.png');
  await clickCell(page, true);
  const sheet = await page.locator('#panel').boundingBox();
  check(Math.abs(sheet.y + sheet.height - 844) < 2 && sheet.width >= 389, 'on a phone the panel is a bottom sheet');
  await shot(page, 'phone-cell.png');
  await touchGestures(page);
  await context.close();
  return problems;
}

// touchGestures pans the map with one finger and zooms it with two,
// through the DevTools protocol (Playwright taps but neither drags nor
// pinches).
async function touchGestures(page) {
  await page.click('#panel-close');
  const cdp = await page.context().newCDPSession(page);
  const touch = (type, ...points) => cdp.send('Input.dispatchTouchEvent', {
    type, touchPoints: points.map(([x, y], id) => ({ x, y, id })),
  });
  const view = () => page.evaluate(() => ({ c: window.hexnetMap.getCenter(), z: window.hexnetMap.getZoom() }));

  const before = await view();
  await touch('touchStart', [200, 400]);
  for (let i = 1; i <= 10; i++) await touch('touchMove', [200 - i * 10, 400 - i * 5]);
  let n = await loads(page);
  await touch('touchEnd');
  await settled(page, n); // moveend refetches the view
  const panned = await view();
  check(panned.c.lng !== before.c.lng && panned.c.lat !== before.c.lat, 'a one-finger drag pans the map');

  await touch('touchStart', [180, 400], [210, 400]);
  for (let i = 1; i <= 10; i++) await touch('touchMove', [180 - i * 8, 400], [210 + i * 8, 400]);
  n = await loads(page);
  await touch('touchEnd');
  await settled(page, n);
  const zoomed = await view();
  check(zoomed.z > panned.z + 0.5, `a pinch zooms the map in (zoom ${panned.z.toFixed(2)} → ${zoomed.z.toFixed(2)})`);
}

async function exportGeoJSON(page) {
  const href = await page.getAttribute('#export', 'href');
  const resp = await fetch(new URL(href, base));
  const body = await resp.json().catch(() => null);
  check(resp.ok && body && body.type === 'FeatureCollection', `"GeoJSON" downloads a FeatureCollection (${href})`);
}

async function main() {
  mkdirSync(artifacts, { recursive: true });
  const w = await world();
  const browser = await chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems = [];
    watch(page, problems);
    await mapLoads(page, base.href);
    await shot(page, 'desktop-map.png');
    const cell = await clickCell(page);
    await shot(page, 'desktop-cell.png');
    await exportGeoJSON(page);
    await searchHotspot(page, w);
    await shot(page, 'desktop-hotspot.png');
    problems.push(...await permalink(browser, w.epoch, cell.cell));
    problems.push(...await phone(browser));
    check(problems.length === 0, `no script errors and no request off the oracle${problems.length ? `: ${problems.join('; ')}` : ''}`);
  } finally {
    await browser.close();
  }
  log('PASS');
}

main().catch((err) => {
  console.error(err.stack || String(err));
  process.exit(1);
});
