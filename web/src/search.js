// The search box: GET /api/v1/search?q=TEXT finds hotspots whose name or
// address starts with TEXT; picking one opens its page.
import { get, query, isAbort, ApiError } from './api.js';
import { debounce, el, replace } from './dom.js';
import { hotspotName, shortAddress } from './format.js';

const LIMIT = 8;

export class Search {
  // onPick(hotspot) is called with the chosen hotspot; busy tracks requests.
  constructor({ input, list, busy, onPick, onError }) {
    Object.assign(this, { input, list, busy, onPick, onError, results: [], active: -1, ctrl: null });
    input.addEventListener('input', debounce(() => this.run(), 150));
    input.addEventListener('keydown', (ev) => this.key(ev));
    input.addEventListener('blur', () => setTimeout(() => this.hide(), 150));
  }

  async run() {
    const q = this.input.value.trim();
    this.ctrl?.abort();
    if (q === '') return this.hide();
    this.ctrl = new AbortController();
    try {
      this.show(await this.busy.track(find(q, this.ctrl.signal)));
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) this.say(err.message); // e.g. too short
      else if (!isAbort(err)) this.onError(err);
    }
  }

  // say shows a message in place of results.
  say(text) {
    this.results = [];
    this.active = -1;
    replace(this.list, el('li', { class: 'empty' }, text));
    this.list.hidden = false;
  }

  show(hotspots) {
    this.results = hotspots;
    this.active = hotspots.length ? 0 : -1;
    if (hotspots.length === 0) return this.say('No hotspot name or address starts with that.');
    replace(this.list, hotspots.map((h, i) => this.item(h, i)));
    this.list.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
  }

  item(h, i) {
    return el('li', {
      role: 'option', class: 'result', title: h.address,
      dataset: { index: i, address: h.address }, 'aria-selected': String(i === 0),
      onmousedown: (ev) => {
        ev.preventDefault(); // keep the focus: blur would hide the list first
        this.pick(i);
      },
    }, el('strong', {}, hotspotName(h)), ' ', el('span', { class: 'muted' }, shortAddress(h.address)),
    el('span', { class: `status ${h.status}` }, h.status));
  }

  hide() {
    this.list.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
  }

  key(ev) {
    const n = this.results.length;
    if (ev.key === 'Escape') return this.hide();
    if (ev.key === 'Enter' && this.active >= 0) return this.pick(this.active);
    if (n === 0 || (ev.key !== 'ArrowDown' && ev.key !== 'ArrowUp')) return;
    ev.preventDefault();
    this.active = (this.active + (ev.key === 'ArrowDown' ? 1 : n - 1)) % n;
    this.list.querySelectorAll('.result').forEach((li, i) => li.setAttribute('aria-selected', String(i === this.active)));
  }

  pick(i) {
    const h = this.results[i];
    this.hide();
    this.input.value = hotspotName(h);
    this.input.blur();
    this.onPick(h);
  }
}

// find asks the oracle for hotspots whose name or address starts with q.
async function find(q, signal) {
  const { body } = await get(`/api/v1/search${query({ q, limit: LIMIT })}`, { signal });
  return body.hotspots || [];
}
