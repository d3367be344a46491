// The side panel (a bottom sheet on phones) that shows a cell or a hotspot.
import { $, el, replace } from './dom.js';

export class Panel {
  constructor(onClose) {
    this.node = $('#panel');
    this.body = $('#panel-body');
    $('#panel-close').addEventListener('click', onClose);
  }

  loading(title) {
    this.show(el('h2', {}, title), el('p', { class: 'muted' }, 'Loading…'));
  }

  show(...children) {
    replace(this.body, ...children);
    this.node.hidden = false;
    this.body.scrollTop = 0;
  }

  error(title, err) {
    this.show(el('h2', {}, title), el('p', { class: 'error' }, err.message));
  }

  close() {
    this.node.hidden = true;
    replace(this.body);
  }
}

// facts is a definition list of [label, value] pairs; null values are left out.
export function facts(pairs) {
  return el('dl', { class: 'facts' },
    pairs.filter(([, v]) => v != null).flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

// table builds a table from column headings and rows of cells.
export function table(headings, rows, attrs = {}) {
  return el('div', { class: 'table-wrap' },
    el('table', attrs,
      el('thead', {}, el('tr', {}, headings.map((h) => el('th', {}, h)))),
      el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c) => el('td', {}, c)))))));
}

// copyButton copies text to the clipboard, when the browser allows it.
export function copyButton(text, label = 'copy') {
  return el('button', {
    type: 'button', class: 'copy', title: `Copy ${text}`,
    onclick: async (ev) => {
      const b = ev.currentTarget;
      try {
        await navigator.clipboard.writeText(text);
        b.textContent = 'copied';
      } catch {
        b.textContent = 'select and copy';
      }
      setTimeout(() => { b.textContent = label; }, 1500);
    },
  }, label);
}
