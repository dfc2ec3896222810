// Development aid: profiles the server under read-by-id load in one configuration.
// node --import tsx bench/profile-read.ts [system|clinician] [audit|no-audit]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { profileIn, summarizeProfile } from './lib/cpu-profile.ts';
import { runLoad } from './lib/load-process.ts';
import { createScratchDb } from './lib/scratch-db.ts';
import { REPO_ROOT, startServer } from './lib/server-process.ts';
import { writeScaledBundles } from './lib/synthea-scale.ts';

const [who = 'clinician', audit = 'no-audit', clientsArg = '16'] = process.argv.slice(2);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-prof-'));
const set = writeScaledBundles(path.join(REPO_ROOT, '..', 'shared', 'data', 'synthea-r4'), path.join(tmp, 'b'), 1);
for (const f of set.files) {
  const b = JSON.parse(fs.readFileSync(f, 'utf8')) as { entry?: { resource?: Record<string, unknown> }[] };
  for (const e of b.entry ?? []) if (e.resource?.resourceType === 'Patient') e.resource.managingOrganization = { reference: 'Organization/o1' };
  fs.writeFileSync(f, JSON.stringify(b));
}
const clinic = path.join(tmp, 'clinic.json');
fs.writeFileSync(clinic, JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: [
  { resource: { resourceType: 'Organization', id: 'o1', name: 'C' }, request: { method: 'PUT', url: 'Organization/o1' } },
  { resource: { resourceType: 'Practitioner', id: 'd1' }, request: { method: 'PUT', url: 'Practitioner/d1' } },
  { resource: { resourceType: 'PractitionerRole', id: 'r1', practitioner: { reference: 'Practitioner/d1' }, organization: { reference: 'Organization/o1' } }, request: { method: 'PUT', url: 'PractitionerRole/r1' } },
] }));
const db = await createScratchDb(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', 'prof');
try {
  const loader = await startServer({ databaseUrl: db.url });
  const ingest = await runLoad({ kind: 'ingest', base: loader.base, files: [clinic, ...set.files], clients: 2, headers: loader.headers });
  await loader.stop();
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'apps/cli/bin/confide.js'), 'users', 'add', 'clin1', '--kind', 'staff', '--fhir-user', 'Practitioner/d1', '--role', 'clinician', '--no-mfa'], { env: { ...process.env, DATABASE_URL: db.url }, stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 5000));
  const profileDir = path.join(tmp, 'prof');
  const s = await startServer({ databaseUrl: db.url, profileDir, args: audit === 'no-audit' ? ['--no-audit'] : [], token: who === 'clinician' ? { user: 'clin1' } : 'system' });
  const r = await runLoad({ kind: 'read', base: s.base, paths: ingest.readPaths, clients: Number(clientsArg), warmup: 2, duration: 8, headers: s.headers });
  await s.stop();
  console.log(`${who} ${audit}: ${r.perSec} req/s errors ${r.errors} ${r.firstError ?? ''}`);
  const file = profileIn(profileDir);
  if (file) console.log(JSON.stringify(summarizeProfile(file, undefined, 25), null, 1));
} finally {
  await db.drop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
