import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConfide, localPeerGroup, type Confide } from '../src/index.ts';
import { startPractice, type Practice } from './consent-support.ts';
import { request } from './support/harness.ts';

/**
 * Two server processes on one PostgreSQL database (`confide start --workers`), as peers: a revocation or an
 * emergency access made in one is effective in the other for its very next request, not at its next poll. A
 * third process that is no peer shows what the messages change. The embedded database is one process, so
 * these run on PostgreSQL only.
 */
const PUBLIC_URL = 'http://confide.test';
// Long enough that nothing below is picked up by polling the database.
const auth = { revocationPollMs: 600_000 };

describe.skipIf(!process.env.DATABASE_URL)('server processes as peers', () => {
  const group = localPeerGroup();
  let pr: Practice;
  let peer: { confide: Confide; base: string };
  let stranger: { confide: Confide; base: string };

  const open = async (peers: boolean) => {
    const confide = await createConfide({ databaseUrl: pr.s.databaseUrl, publicUrl: PUBLIC_URL, auth, peers: peers ? group.join() : undefined });
    const running = await confide.listen(0);
    return { confide, base: `${running.url}/fhir/R4` };
  };
  const grantOf = (headers: Record<string, string>) => JSON.parse(Buffer.from(headers.authorization.split('.')[1], 'base64url').toString()).grant as string;

  beforeAll(async () => {
    pr = await startPractice({ publicUrl: PUBLIC_URL, auth, peers: group.join() });
    peer = await open(true);
    stranger = await open(false);
  });
  afterAll(async () => {
    await peer?.confide.close();
    await stranger?.confide.close();
    await pr?.s.close();
  });

  it('a grant revoked in one process is refused by its peer at once', async () => {
    const { access_token } = await pr.s.confide.oauth.issueToken({ username: 'cs.main', scope: 'user/*.rs', ttlSeconds: 600 });
    const as = { authorization: `Bearer ${access_token}` };
    for (const s of [pr.s, peer, stranger]) expect((await request(s.base, 'GET', 'Patient/cs-p1', undefined, as)).status).toBe(200);

    expect(await pr.s.confide.oauth.revokeGrant(grantOf(as), 'test')).toBe(true);
    expect((await request(pr.s.base, 'GET', 'Patient/cs-p1', undefined, as)).status).toBe(401);
    const r = await request(peer.base, 'GET', 'Patient/cs-p1', undefined, as);
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toContain('invalid_token');
    // The control: a process that is told nothing still trusts its cache until it polls.
    expect((await request(stranger.base, 'GET', 'Patient/cs-p1', undefined, as)).status).toBe(200);
  });

  it("an emergency access granted in one process opens the record in its peer's next request", async () => {
    const get = (s: { base: string }) => request(s.base, 'GET', 'Condition/cs-oud', undefined, pr.as.main);
    // Each process has now looked up (and caches) the clinician's grants: none.
    for (const s of [pr.s, peer, stranger]) expect((await get(s)).status).toBe(404);
    const btg = await request(pr.s.base, 'POST', 'Patient/cs-p1/$break-the-glass', { resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: 'found unresponsive' }] }, pr.as.main);
    expect(btg.status).toBe(200);
    expect((await get(pr.s)).status).toBe(200);
    expect((await get(peer)).status).toBe(200);
    expect((await get(stranger)).status).toBe(404);
  });

  it('a disabled account is refused by every peer', async () => {
    const { access_token } = await pr.s.confide.oauth.issueToken({ username: 'cs.del', scope: 'user/*.rs', ttlSeconds: 600 });
    const as = { authorization: `Bearer ${access_token}` };
    expect((await request(peer.base, 'GET', 'Patient/cs-p1', undefined, as)).status).toBe(200);
    const user = await pr.s.confide.accounts.getUser('cs.del');
    await pr.s.confide.oauth.revokeUserGrants(user!.id, 'user-disabled');
    expect((await request(peer.base, 'GET', 'Patient/cs-p1', undefined, as)).status).toBe(401);
  });
});
