// The epoch selector: GET /api/v1/epochs. "Latest" follows the newest
// closed epoch; choosing one goes back in time.
import { get } from './api.js';
import { el, replace } from './dom.js';
import { when } from './format.js';

export class Epochs {
  constructor({ select, busy, onChange }) {
    Object.assign(this, { select, busy, onChange, list: [], chosen: null });
    select.addEventListener('change', () => {
      this.chosen = select.value === '' ? null : Number(select.value);
      this.onChange(this.chosen);
    });
  }

  // load fetches the epochs and resolves to whether the latest closed one
  // changed.
  async load() {
    const before = this.latestClosed()?.epoch;
    const { body } = await this.busy.track(get('/api/v1/epochs'));
    this.list = body || [];
    this.render();
    return this.latestClosed()?.epoch !== before;
  }

  choose(epoch) {
    this.chosen = epoch;
    this.render();
  }

  latestClosed() {
    return this.closed()[0] || null;
  }

  // closed epochs, newest first.
  closed() {
    return this.list.filter((e) => e.status !== 'open').sort((a, b) => b.epoch - a.epoch);
  }

  current() {
    return this.list.filter((e) => e.status === 'open').sort((a, b) => b.epoch - a.epoch)[0] || null;
  }

  // shown is the epoch whose coverage is on the map, or null before any closed.
  shown() {
    return this.chosen ?? this.latestClosed()?.epoch ?? null;
  }

  byNumber(n) {
    return this.list.find((e) => e.epoch === n) || null;
  }

  render() {
    const latest = this.latestClosed();
    const options = [el('option', { value: '' }, latest ? `latest (${latest.epoch})` : 'none closed yet')];
    for (const e of this.closed()) {
      options.push(el('option', { value: e.epoch }, `${e.epoch} · ${e.status} · ${when(e.end)}`));
    }
    if (this.chosen != null && !this.byNumber(this.chosen)) {
      options.push(el('option', { value: this.chosen }, `${this.chosen}`));
    }
    replace(this.select, options);
    this.select.value = this.chosen == null ? '' : String(this.chosen);
  }
}
