import type { Bundle, Resource } from '@medplum/fhirtypes';
import { generateDemoPractice } from '../src/index.ts';

/** A fixed reference instant so that every test sees the same practice. */
export const NOW = new Date('2025-06-16T15:30:00Z');

let cached: Bundle[] | undefined;

/** The default practice (100 patients, seed 42) at NOW, generated once per test file. */
export function defaultPractice(): Bundle[] {
  cached ??= generateDemoPractice({ now: NOW });
  return cached;
}

export function resourcesOf(bundles: readonly Bundle[]): Resource[] {
  return bundles.flatMap((b) => (b.entry ?? []).map((e) => e.resource as Resource));
}

export function byType<T extends Resource>(bundles: readonly Bundle[], type: T['resourceType']): T[] {
  return resourcesOf(bundles).filter((r): r is T => r.resourceType === type);
}

/** Every literal reference (`Type/id`) inside a value, with its path. */
export function referencesIn(value: unknown, path = ''): Array<{ path: string; reference: string }> {
  const out: Array<{ path: string; reference: string }> = [];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...referencesIn(v, `${path}[${i}]`)));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string') out.push({ path, reference: v });
      else out.push(...referencesIn(v, path ? `${path}.${k}` : k));
    }
  }
  return out;
}

/** Every Coding inside a value. */
export function codingsIn(value: unknown, path = ''): Array<{ path: string; system?: string; code?: string; display?: string }> {
  const out: Array<{ path: string; system?: string; code?: string; display?: string }> = [];
  if (Array.isArray(value)) value.forEach((v) => out.push(...codingsIn(v, path)));
  else if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.code === 'string' && typeof o.system === 'string' && !('value' in o)) {
      out.push({ path, system: o.system, code: o.code, display: typeof o.display === 'string' ? o.display : undefined });
    }
    for (const [k, v] of Object.entries(o)) if (typeof v === 'object') out.push(...codingsIn(v, path ? `${path}.${k}` : k));
  }
  return out;
}
