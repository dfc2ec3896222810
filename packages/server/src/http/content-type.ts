import { errors } from '@confide/fhir';

/** The media types this server reads (R4 http.html#mime). */
export type BodyKind = 'json' | 'json-patch' | 'form' | 'none';

export function bodyKind(contentType: string | undefined, method: string): BodyKind {
  const mime = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (mime === '') return 'none';
  if (mime === 'application/fhir+json' || mime === 'application/json' || mime === 'application/json+fhir') return 'json';
  if (mime === 'application/json-patch+json') {
    if (method !== 'PATCH') throw errors.unsupportedMediaType('application/json-patch+json is only accepted with PATCH');
    return 'json-patch';
  }
  if (mime === 'application/x-www-form-urlencoded') return 'form';
  if (mime.includes('xml')) throw errors.unsupportedMediaType('This server speaks FHIR JSON only; XML is not supported');
  throw errors.unsupportedMediaType(`Unsupported Content-Type: ${mime}`);
}

/** Checks that the client can take FHIR JSON (Accept header and `_format`). */
export function checkAccept(accept: string | undefined, format: string | null): void {
  if (format !== null) {
    const f = format.toLowerCase();
    if (!['json', 'application/json', 'application/fhir+json', 'application/json+fhir'].includes(f)) {
      throw errors.notAcceptable(`_format=${format} is not supported; this server returns FHIR JSON only`);
    }
  }
  if (!accept) return;
  const types = accept.split(',').map((t) => t.split(';')[0].trim().toLowerCase());
  const ok = types.some((t) => t === '*/*' || t === 'application/*' || t.includes('json') || t === 'text/*' || t === 'text/plain' || t === '');
  if (!ok) throw errors.notAcceptable(`Cannot produce ${accept}; this server returns application/fhir+json`);
}
