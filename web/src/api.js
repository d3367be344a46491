// The oracle's JSON API, on the page's own origin.

// ApiError is a response other than 2xx; status 0 when the oracle could not
// be reached.
export class ApiError extends Error {
  constructor(status, message, path) {
    super(message);
    this.status = status;
    this.path = path;
  }
}

// get fetches path and returns { body, headers }. An aborted request
// rejects with the AbortError of fetch.
export async function get(path, { signal } = {}) {
  let resp;
  try {
    resp = await fetch(path, { signal, headers: { Accept: 'application/json' } });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, `the oracle at ${location.host} did not answer (${err.message})`, path);
  }
  const body = await resp.json().catch(() => null);
  if (!resp.ok) {
    const msg = body && body.error ? body.error : `${resp.status} ${resp.statusText}`;
    throw new ApiError(resp.status, msg, path);
  }
  return { body, headers: resp.headers };
}

// query builds "?k=v&..." from the entries that are not null.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v != null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const isAbort = (err) => err && err.name === 'AbortError';
