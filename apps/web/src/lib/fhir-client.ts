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
