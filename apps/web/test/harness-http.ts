export interface Call {
  method: string;
  url: string;
  body?: unknown;
  headers: Record<string, string>;
}

/**
 * The HTTP edge: answers requests by method and path from `routes` (first match wins) and records them. The
 * FhirClient and AuthClient above it are the real ones.
 */
export function fakeFetch(routes: [RegExp, (c: Call) => { status?: number; body: unknown; headers?: Record<string, string> }][]) {
  const calls: Call[] = [];
  const fn = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input);
    const method = init.method ?? 'GET';
    const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    const body = typeof init.body === 'string' && init.body.startsWith('{') ? JSON.parse(init.body) : init.body;
    const call = { method, url, body, headers };
    calls.push(call);
    const route = routes.find(([re]) => re.test(`${method} ${url}`));
    if (!route) return new Response(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] }), { status: 404 });
    const r = route[1](call);
    return new Response(r.body === undefined ? '' : JSON.stringify(r.body), { status: r.status ?? 200, headers: { 'Content-Type': 'application/fhir+json', ...r.headers } });
  }) as typeof fetch;
  return { fetch: fn, calls };
}

export function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    setItem: (k, v) => void m.set(k, String(v)),
    removeItem: (k) => void m.delete(k),
    key: (i) => [...m.keys()][i] ?? null,
  };
}

export const ORIGIN = 'http://confide.test';

export function bundle(resources: unknown[], extra: unknown[] = []) {
  return { resourceType: 'Bundle', type: 'searchset', total: resources.length, entry: [...resources.map((resource) => ({ resource, search: { mode: 'match' } })), ...extra] };
}
