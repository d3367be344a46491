// Load tracking: <body data-state="loading"> while requests are under way,
// "idle" once they are done and the map has drawn their results (MapLibre's
// idle event); data-settled counts the times it became idle. Tests wait on
// them instead of sleeping.
export class Busy {
  constructor(map) {
    this.map = map;
    this.pending = 0;
    this.settled = 0;
  }

  // track marks the page loading until promise settles, and returns it.
  track(promise) {
    this.pending++;
    document.body.dataset.state = 'loading';
    promise.finally(() => {
      this.pending--;
      if (this.pending === 0) this.settle();
    }).catch(() => {});
    return promise;
  }

  settle() {
    this.map.once('idle', () => {
      if (this.pending !== 0) return;
      this.settled++;
      Object.assign(document.body.dataset, { state: 'idle', settled: this.settled });
    });
    this.map.triggerRepaint();
  }
}
