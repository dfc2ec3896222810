// Development aid: what building, serializing and indexing one folded read AuditEvent costs in Node, per entity.
// node --import tsx bench/audit-event-cost.ts [resources=176] [patients=20]
import { buildAuditEvent } from '@confide/server';
import { searchIndexer } from '@confide/store';

const [nRes = 176, nPat = 20] = process.argv.slice(2).map(Number);
const resources = Array.from({ length: nRes }, (_, i) => (i % 8 === 0 ? `Patient/p${i % nPat}` : `Observation/${crypto.randomUUID()}`));
const patients = Array.from({ length: nPat }, (_, i) => `p${i}`);
const input = {
  kind: 'rest' as const,
  interaction: 'read' as const,
  actor: { kind: 'staff' as const, username: 'bench.clinician', fhirUser: 'Practitioner/bench-doctor', clientId: 'confide-cli', purposeOfUse: 'TREAT' },
  remoteAddress: '127.0.0.1',
  outcome: { status: 200 },
  resources,
  patients,
  recorded: new Date(),
};
const time = (label: string, n: number, fn: () => unknown) => {
  for (let i = 0; i < Math.min(200, n); i++) fn();
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  const us = Number(process.hrtime.bigint() - t) / 1000 / n;
  console.log(`${label.padEnd(28)} ${us.toFixed(1)} µs per event, ${((us * 1000) / nRes).toFixed(0)} ns per resource`);
};
const event = buildAuditEvent(input);
const stored = { ...event, id: crypto.randomUUID(), meta: { versionId: '1', lastUpdated: new Date().toISOString() } };
const json = JSON.stringify(stored);
console.log(`${nRes} resources, ${nPat} patients: ${json.length} characters`);
time('buildAuditEvent', 2000, () => buildAuditEvent(input));
time('JSON.stringify', 2000, () => JSON.stringify(stored));
time('searchIndexer.values', 500, () => searchIndexer.values('AuditEvent', stored as never));
