// The coverage map: countries drawn from an embedded GeoJSON, coverage
// cells and hotspots from the oracle's API, a panel for the cell or
// hotspot chosen, and the view in the URL.
import { LngLatBounds, Map as MapLibreMap, NavigationControl, Popup, setWorkerUrl } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import './style.css';
import { get, isAbort, query } from './api.js';
import { Busy } from './busy.js';
import { cellSummary, cellView } from './cellview.js';
import { bboxOf, cellPolygon, coveragePath, fetchCoverage, resForZoom, toGeoJSON } from './coverage.js';
import { $, debounce, el, replace } from './dom.js';
import { Epochs } from './epochs.js';
import { hotspotName } from './format.js';
import { hotspotView } from './hotspotview.js';
import { LAYERS, addDataLayers, baseStyle, legendGradient } from './mapstyle.js';
import { Panel } from './panel.js';
import * as permalink from './permalink.js';
import { Search } from './search.js';

// Set by build.mjs: the hashed names of MapLibre's worker and the basemap.
/* global HEXNET_WORKER_URL, HEXNET_BASEMAP_URL */
const asset = (name) => new URL(name, document.baseURI).href;

const HOTSPOT_LIMIT = 5000;
const POLL_MS = 15000;
const CELL_LAYERS = [LAYERS.proven, LAYERS.unproven];

class App {
  constructor() {
    const link = permalink.parse(location.hash);
    setWorkerUrl(asset(HEXNET_WORKER_URL));
    this.map = new MapLibreMap({
      container: 'map',
      style: baseStyle(asset(HEXNET_BASEMAP_URL)),
      center: link.view ? [link.view.lng, link.view.lat] : [8, 30],
      zoom: link.view ? link.view.zoom : 1.5,
      attributionControl: { compact: true },
      dragRotate: false,
      pitchWithRotate: false,
      touchPitch: false,
      renderWorldCopies: true,
    });
    this.map.touchZoomRotate.disableRotation();
    this.map.addControl(new NavigationControl({ showCompass: false }), 'bottom-right');
    window.hexnetMap = this.map;
    this.busy = new Busy(this.map);
    this.panel = new Panel(() => this.select(null));
    this.epochs = new Epochs({ select: $('#epoch'), busy: this.busy, onChange: () => this.epochChanged() });
    this.epochs.chosen = link.epoch;
    this.selection = link.selection;
    this.cells = new Map(); // cell → properties of the coverage shown
    this.search = new Search({
      input: $('#search'), list: $('#search-results'), busy: this.busy,
      onPick: (h) => this.pickHotspot(h), onError: (err) => this.banner(err),
    });
    this.popup = new Popup({ closeButton: false, closeOnClick: false, offset: 10 });
    this.refreshSoon = debounce(() => this.refresh(), 250);
    $('.legend-scale').style.background = legendGradient();
    $('#share').addEventListener('click', () => this.share());
    // The epochs and, without a view in the URL, the hotspots to frame are
    // fetched while MapLibre loads the basemap.
    const boot = Promise.all([this.epochs.load(), link.view ? null : this.networkBounds()]);
    boot.catch(() => {}); // reported by start, once the map has loaded
    this.map.on('load', () => this.busy.track(this.start(boot)));
  }

  async start(boot) {
    addDataLayers(this.map);
    try {
      const [, bounds] = await boot;
      if (bounds) this.map.fitBounds(bounds, { padding: 60, maxZoom: 13, animate: false });
    } catch (err) {
      this.banner(err);
    }
    this.bindMap();
    this.refresh();
    if (this.selection) this.open();
    window.addEventListener('hashchange', () => this.followHash());
    setInterval(() => this.poll(), POLL_MS);
  }

  bindMap() {
    const m = this.map;
    m.on('moveend', () => {
      this.saveLink();
      this.refreshSoon();
    });
    m.on('click', (ev) => this.clicked(ev));
    for (const layer of [...CELL_LAYERS, LAYERS.hotspots]) {
      m.on('mouseenter', layer, () => { m.getCanvas().style.cursor = 'pointer'; });
      m.on('mouseleave', layer, () => { m.getCanvas().style.cursor = ''; });
    }
    m.on('mousemove', LAYERS.hotspots, (ev) => {
      const p = ev.features[0].properties;
      this.popup.setLngLat(ev.features[0].geometry.coordinates).setText(`${p.label} · ${p.status}`).addTo(m);
    });
    m.on('mouseleave', LAYERS.hotspots, () => this.popup.remove());
  }

  // networkBounds frames every asserted hotspot (null when none is).
  async networkBounds() {
    const { body } = await this.busy.track(get(`/api/v1/hotspots${query({ limit: HOTSPOT_LIMIT })}`));
    const located = (body || []).filter((h) => h.lat != null);
    if (located.length === 0) return null;
    const b = new LngLatBounds();
    for (const h of located) b.extend([h.lng, h.lat]);
    return b;
  }

  // refresh loads the coverage and hotspots in view; a newer refresh
  // aborts the one under way.
  async refresh() {
    this.ctrl?.abort();
    this.ctrl = new AbortController();
    const signal = this.ctrl.signal;
    const bbox = bboxOf(this.map.getBounds());
    const res = resForZoom(this.map.getZoom());
    const epoch = this.epochs.chosen;
    try {
      const [cov, hs] = await this.busy.track(Promise.all([
        fetchCoverage({ res, bbox, epoch, signal }),
        get(`/api/v1/hotspots${query({ bbox: bbox.join(','), limit: HOTSPOT_LIMIT })}`, { signal }),
      ]));
      this.showCoverage(cov, bbox);
      this.showHotspots(hs.body || []);
      this.banner(null);
    } catch (err) {
      if (!isAbort(err)) this.banner(err);
    }
  }

  showCoverage({ cells, res, epoch }, bbox) {
    this.map.getSource('coverage').setData(toGeoJSON(cells));
    this.cells = new Map(cells.map((c) => [c.cell, c]));
    $('#export').href = coveragePath({ res, bbox, epoch: this.epochs.chosen, format: 'geojson' });
    $('#legend-res').textContent = `(H3 res ${res})`;
    Object.assign(document.body.dataset, { cells: cells.length, epoch: epoch ?? '', res });
    this.shownEpoch = epoch;
    this.legendEpoch(epoch);
    const known = epoch == null ? null : this.epochs.byNumber(epoch);
    if (epoch != null && (!known || known.status === 'open')) this.poll(); // closed since the list was loaded
    this.notice(epoch == null && this.epochs.chosen == null
      ? 'No epoch closed yet — coverage appears after the first epoch closes.' : null);
  }

  showHotspots(hotspots) {
    const features = hotspots.filter((h) => h.lat != null).map((h) => ({
      type: 'Feature',
      properties: { address: h.address, label: hotspotName(h), status: h.status },
      geometry: { type: 'Point', coordinates: [h.lng, h.lat] },
    }));
    this.map.getSource('hotspots').setData({ type: 'FeatureCollection', features });
  }

  legendEpoch(epoch) {
    const shown = epoch == null ? null : this.epochs.byNumber(epoch);
    const current = this.epochs.current();
    replace($('#legend-epoch'),
      shown ? `Epoch ${shown.epoch} (${shown.status})` : 'No closed epoch',
      current ? ` · epoch ${current.epoch} open` : '');
  }

  clicked(ev) {
    const pad = 8; // a finger is wider than a pixel
    const box = [[ev.point.x - pad, ev.point.y - pad], [ev.point.x + pad, ev.point.y + pad]];
    const hs = this.map.queryRenderedFeatures(box, { layers: [LAYERS.hotspots] });
    if (hs.length) return this.select({ kind: 'hotspot', id: hs[0].properties.address });
    const cells = this.map.queryRenderedFeatures(ev.point, { layers: CELL_LAYERS });
    if (cells.length) return this.select({ kind: 'cell', id: cells[0].properties.cell });
    return this.select(null);
  }

  pickHotspot(h) {
    if (h.lat != null) this.map.flyTo({ center: [h.lng, h.lat], zoom: Math.max(this.map.getZoom(), 13) });
    this.select({ kind: 'hotspot', id: h.address });
  }

  // select opens the panel for a cell or a hotspot, or closes it (null).
  select(selection) {
    this.selection = selection;
    this.saveLink();
    this.open();
  }

  open() {
    const s = this.selection;
    this.seq = (this.seq || 0) + 1;
    this.map.getSource('selection').setData(s && s.kind === 'cell' ? cellFeature(s.id) : emptyFC());
    if (!s) return this.panel.close();
    const load = s.kind === 'cell' ? this.openCell(s.id, this.seq) : this.openHotspot(s.id, this.seq);
    return this.busy.track(load);
  }

  async openCell(cell, seq) {
    this.panel.loading(`Cell ${cell}`);
    const epoch = this.epochs.shown();
    try {
      const { body } = await get(`/api/v1/cells/${encodeURIComponent(cell)}${query({ epoch })}`);
      if (seq === this.seq) this.panel.show(...cellView(body, { onHotspot: (a) => this.select({ kind: 'hotspot', id: a }) }));
    } catch (err) {
      if (seq !== this.seq) return;
      const known = this.cells.get(cell);
      if (known) this.panel.show(...cellSummary(known, err));
      else this.panel.error(`Cell ${cell}`, err);
    }
  }

  async openHotspot(address, seq) {
    this.panel.loading('Hotspot');
    const epoch = this.epochs.shown() ?? this.epochs.current()?.epoch;
    const path = `/api/v1/hotspots/${encodeURIComponent(address)}`;
    const [hotspot, reports, rewards] = await Promise.allSettled([
      get(path), get(`${path}/reports${query({ epoch })}`), get(`${path}/rewards`),
    ]);
    if (seq !== this.seq) return;
    if (hotspot.status === 'rejected') return this.panel.error('Hotspot', hotspot.reason);
    const part = (r) => (r.status === 'fulfilled' ? { value: r.value.body } : { error: r.reason });
    this.panel.show(...hotspotView({ hotspot: hotspot.value.body, reports: part(reports), rewards: part(rewards) },
      { onLocate: (lng, lat) => this.map.flyTo({ center: [lng, lat], zoom: Math.max(this.map.getZoom(), 14) }) }));
  }

  epochChanged() {
    this.saveLink();
    this.refresh();
    if (this.selection) this.open();
  }

  // poll notices newly closed epochs; following "latest", the map moves on.
  async poll() {
    try {
      const changed = await this.epochs.load();
      this.legendEpoch(this.shownEpoch);
      if (changed && this.epochs.chosen == null) this.epochChanged();
    } catch (err) {
      this.banner(err);
    }
  }

  saveLink() {
    const c = this.map.getCenter();
    const hash = permalink.format({
      view: { zoom: this.map.getZoom(), lat: c.lat, lng: c.lng },
      epoch: this.epochs.chosen,
      selection: this.selection,
    });
    if (hash !== location.hash) history.replaceState(null, '', hash);
  }

  // followHash applies a link pasted into the address bar.
  followHash() {
    const link = permalink.parse(location.hash);
    if (link.view) this.map.jumpTo({ center: [link.view.lng, link.view.lat], zoom: link.view.zoom });
    if (link.epoch !== this.epochs.chosen) {
      this.epochs.choose(link.epoch);
      this.refresh();
    }
    this.selection = link.selection;
    this.open();
  }

  async share() {
    this.saveLink();
    try {
      await navigator.clipboard.writeText(location.href);
      this.notice('Link to this view copied.', 3000);
    } catch {
      this.notice(el('span', {}, 'Copy this link: ', el('input', { class: 'share-link', readonly: true, value: location.href })), 10000);
    }
  }

  // banner shows an error from the oracle, or hides it (null).
  banner(err) {
    const b = $('#banner');
    b.hidden = !err;
    if (err) replace(b, `The oracle's API failed: ${err.message}`);
  }

  notice(content, ms) {
    const n = $('#notice');
    clearTimeout(this.noticeTimer);
    n.hidden = !content;
    if (!content) return;
    replace(n, content);
    if (ms) this.noticeTimer = setTimeout(() => { n.hidden = true; }, ms);
  }
}

const emptyFC = () => ({ type: 'FeatureCollection', features: [] });

function cellFeature(cell) {
  try {
    return { type: 'Feature', properties: { cell }, geometry: cellPolygon(cell) };
  } catch {
    return emptyFC();
  }
}

new App();
