/**
 * Builds a Bundle's JSON text from parts without parsing the stored resources: each entry's resource is
 * the stored JSON text spliced in as is.
 */
export class BundleText {
  private readonly entries: string[] = [];

  constructor(private readonly head: Record<string, unknown>) {}

  add(entry: { fullUrl?: string; resourceJson?: string | null; search?: object; request?: object; response?: object }): void {
    const parts: string[] = [];
    if (entry.fullUrl !== undefined) parts.push(`"fullUrl":${JSON.stringify(entry.fullUrl)}`);
    if (entry.resourceJson) parts.push(`"resource":${entry.resourceJson}`);
    if (entry.search) parts.push(`"search":${JSON.stringify(entry.search)}`);
    if (entry.request) parts.push(`"request":${JSON.stringify(entry.request)}`);
    if (entry.response) parts.push(`"response":${JSON.stringify(entry.response)}`);
    this.entries.push('{' + parts.join(',') + '}');
  }

  get size(): number {
    return this.entries.length;
  }

  toString(): string {
    const head = JSON.stringify(this.head);
    const entries = this.entries.length ? `,"entry":[${this.entries.join(',')}]` : '';
    return head.slice(0, -1) + entries + '}';
  }
}
