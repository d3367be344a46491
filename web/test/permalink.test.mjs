import assert from 'node:assert/strict';
import { test } from 'node:test';
import { format, parse } from '../src/permalink.js';

test('a permalink round-trips', () => {
  const state = { view: { zoom: 12.5, lat: 47.376, lng: 8.541 }, epoch: 3, selection: { kind: 'cell', id: '881f8edb31fffff' } };
  assert.equal(format(state), '#map=12.50/47.37600/8.54100&epoch=3&cell=881f8edb31fffff');
  assert.deepEqual(parse(format(state)), state);
});

test('a hotspot selection and no epoch', () => {
  const link = parse('#map=3/10/20&hotspot=5J4aXp6XUc9V');
  assert.deepEqual(link, { view: { zoom: 3, lat: 10, lng: 20 }, epoch: null, selection: { kind: 'hotspot', id: '5J4aXp6XUc9V' } });
});

test('unreadable parts are ignored', () => {
  for (const hash of ['', '#', '#map=x/1/2', '#map=3/95/0', '#map=30/1/2', '#epoch=-1', '#epoch=abc']) {
    const link = parse(hash);
    assert.equal(link.view, null, hash);
    assert.equal(link.epoch, null, hash);
  }
});
