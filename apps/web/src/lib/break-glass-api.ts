import type { FhirClient } from './fhir-client.ts';

/** The privacy officer's break-the-glass review queue (`/api/break-glass`, docs/consent.md), with the user's token. */
export const REVIEW_OUTCOMES = [
  { value: 'appropriate', label: 'Appropriate' },
  { value: 'inappropriate', label: 'Inappropriate' },
  { value: 'needs-follow-up', label: 'Needs follow-up' },
] as const;
export type ReviewOutcome = (typeof REVIEW_OUTCOMES)[number]['value'];

export interface Grant {
  id: string;
  user: string;
  practitioner?: string;
  /** `Patient/<id>` */
  patient: string;
  reason: string;
  started: string;
  expires: string;
  review: { outcome: ReviewOutcome; comment?: string; reviewer: string; reviewed: string } | null;
}

export interface GrantPage {
  grants: Grant[];
  /** Grants no privacy officer has reviewed yet, whatever the filter. */
  unreviewed: number;
  /** The next page (a path on this server), when there is one. */
  next?: string;
}

/** Said on `window` after a review is recorded, so the navigation's count follows. */
export const REVIEWED_EVENT = 'confide:break-glass-reviewed';

function apiUrl(fhir: FhirClient, path: string): string {
  return `${fhir.base.replace(/\/fhir\/R4\/?$/, '')}${path}`;
}

export async function listGrants(fhir: FhirClient, query: { status?: 'unreviewed' | 'all'; count?: number } | string = {}): Promise<GrantPage> {
  const path = typeof query === 'string' ? query : `/api/break-glass?${new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]))}`;
  return (await fhir.request<GrantPage>('GET', apiUrl(fhir, path))).body;
}

/** Whether the signed-in user reviews break-the-glass grants, and how many wait (`GET /api/break-glass/summary`). */
export async function reviewSummary(fhir: FhirClient): Promise<{ reviewer: boolean; unreviewed?: number }> {
  return (await fhir.request<{ reviewer: boolean; unreviewed?: number }>('GET', apiUrl(fhir, '/api/break-glass/summary'))).body;
}

export async function reviewGrant(fhir: FhirClient, id: string, review: { outcome: ReviewOutcome; comment?: string }): Promise<Grant> {
  const g = (await fhir.request<Grant>('POST', apiUrl(fhir, `/api/break-glass/${encodeURIComponent(id)}/review`), review, { 'Content-Type': 'application/json' })).body;
  window.dispatchEvent(new Event(REVIEWED_EVENT));
  return g;
}
