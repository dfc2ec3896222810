import type { Bundle, OperationOutcome, Resource } from '@medplum/fhirtypes';

/** A FHIR REST error: the status and the server's OperationOutcome (FHIR R4 http.html#errors). */
export class FhirError extends Error {
  constructor(
    readonly status: number,
    readonly outcome: OperationOutcome | undefined,
  ) {
    super(outcomeMessage(outcome) ?? `The server answered ${status}`);
    this.name = 'FhirError';
  }
}

export function outcomeMessage(outcome: OperationOutcome | undefined): string | undefined {
  const issue = outcome?.issue?.find((i) => i.severity === 'error' || i.severity === 'fatal') ?? outcome?.issue?.[0];
  return issue?.diagnostics ?? issue?.details?.text;
}

export interface SearchResult<T extends Resource> {
  resources: T[];
  /** Other resources of the bundle (_include, _revinclude). */
  included: Resource[];
  total?: number;
  next?: string;
  /** True when the server withheld records (an OperationOutcome entry with issue code `suppressed`). */
  suppressed: boolean;
}

/** The FHIR R4 REST API of Confide, with the signed-in user's bearer token. */
export class FhirClient {
  constructor(
    readonly base: string,
    private readonly token: () => Promise<string>,
    private readonly onUnauthorized: () => void = () => undefined,
    private readonly doFetch: typeof fetch = (...a) => fetch(...a),
  ) {}

  async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ body: T; etag?: string; status: number }> {
    const url = path.startsWith('http') ? path : `${this.base}/${path}`;
    const res = await this.doFetch(url, {
      method,
      headers: {
        Accept: 'application/fhir+json',
        Authorization: `Bearer ${await this.token()}`,
        ...(body !== undefined ? { 'Content-Type': 'application/fhir+json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const json = text ? (JSON.parse(text) as unknown) : undefined;
    if (res.status === 401) this.onUnauthorized();
    if (!res.ok) throw new FhirError(res.status, (json as OperationOutcome | undefined)?.resourceType === 'OperationOutcome' ? (json as OperationOutcome) : undefined);
    return { body: json as T, etag: res.headers.get('ETag') ?? undefined, status: res.status };
  }

  async read<T extends Resource>(type: T['resourceType'], id: string): Promise<T> {
    return (await this.request<T>('GET', `${type}/${encodeURIComponent(id)}`)).body;
  }

  async search<T extends Resource>(type: T['resourceType'], params: Record<string, string | number | undefined> | URLSearchParams = {}): Promise<SearchResult<T>> {
    const q = params instanceof URLSearchParams ? params : new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, String(v)]));
    const bundle = (await this.request<Bundle>('GET', `${type}?${q}`)).body;
    return searchResult<T>(bundle, type);
  }

  /**
   * Every page of a search, following the Bundle's `next` links (R4 http.html#paging) up to `maxPages`; `next`
   * of the answer is set when pages were left. Links are only followed on this server's base: the bearer
   * token goes nowhere else.
   */
  async searchAll<T extends Resource>(type: T['resourceType'], params: Record<string, string | number | undefined> | URLSearchParams, maxPages = 10): Promise<SearchResult<T>> {
    const all = await this.search<T>(type, params);
    for (let n = 1; all.next && n < maxPages; n++) {
      const page = searchResult<T>((await this.request<Bundle>('GET', this.onBase(all.next))).body, type);
      all.resources.push(...page.resources);
      all.included.push(...page.included);
      all.suppressed ||= page.suppressed;
      all.next = page.next;
    }
    return all;
  }

  /** A link of this server as a URL on the base the client uses (a proxy may front the server on another origin). */
  private onBase(link: string): string {
    const base = new URL(this.base, 'http://base.invalid');
    const url = new URL(link, base);
    if (!url.pathname.startsWith(base.pathname)) throw new Error(`The server sent a link outside its FHIR base: ${url.pathname}`);
    return `${this.base}${url.pathname.slice(base.pathname.length)}${url.search}`;
  }

  async create<T extends Resource>(resource: T): Promise<T> {
    return (await this.request<T>('POST', resource.resourceType, resource, { Prefer: 'return=representation' })).body;
  }

  /** Update; with the resource's version as If-Match so a concurrent change is a 412, never lost. */
  async update<T extends Resource>(resource: T): Promise<T> {
    const version = resource.meta?.versionId;
    const headers: Record<string, string> = { Prefer: 'return=representation' };
    if (version) headers['If-Match'] = `W/"${version}"`;
    return (await this.request<T>('PUT', `${resource.resourceType}/${resource.id}`, resource, headers)).body;
  }
}

/** Splits a search Bundle into matches, includes and the consent notice. */
export function searchResult<T extends Resource>(bundle: Bundle, type: string): SearchResult<T> {
  const resources: T[] = [];
  const included: Resource[] = [];
  let suppressed = false;
  for (const e of bundle.entry ?? []) {
    const r = e.resource;
    if (!r) continue;
    if (r.resourceType === 'OperationOutcome') {
      if ((r as OperationOutcome).issue?.some((i) => i.code === 'suppressed')) suppressed = true;
      continue;
    }
    if (e.search?.mode === 'include' || r.resourceType !== type) included.push(r);
    else resources.push(r as T);
  }
  const next = bundle.link?.find((l) => l.relation === 'next')?.url;
  return { resources, included, total: bundle.total, next, suppressed };
}
