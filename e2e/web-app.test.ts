import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { buildWebApp, choose, DEMO_PASSWORD, launchBrowser, shot, startConfide, watchErrors, type RunningConfide } from './support.ts';

/**
 * The clinician's day in a real browser (Debian's chromium) against a real `confide start` on the embedded
 * database: sign in, find a patient, add a problem and a medication, write and sign a note, book an
 * appointment, sign out.
 */
describe('the clinician web app, end to end', () => {
  let server: RunningConfide;
  let browser: { context: BrowserContext; close(): Promise<void> };
  let page: Page;
  let errors: string[];
  let chartUrl: string;

  beforeAll(async () => {
    buildWebApp();
    server = await startConfide(8);
    browser = await launchBrowser();
    page = await browser.context.newPage();
    errors = watchErrors(page);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('serves the app with the right content types and caching, and the SPA fallback', async () => {
    const html = await fetch(server.url + '/patients/anything');
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.headers.get('cache-control')).toBe('no-cache');
    expect(html.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(await html.text())?.[1];
    expect(script).toBeDefined();
    const js = await fetch(server.url + script);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(server.url + '/assets/missing.js')).status).toBe(404);
    // The API and the authorization server keep their paths.
    expect((await fetch(server.url + '/fhir/R4/metadata')).headers.get('content-type')).toMatch(/fhir\+json/);
    expect((await fetch(server.url + '/fhir/R4/Patient')).status).toBe(401);
    // The portal is its own entry: none of what it loads holds clinician screens.
    const portal = await (await fetch(server.url + '/portal/')).text();
    expect(portal).not.toContain(script!);
    const portalAssets = [...portal.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]);
    expect(portalAssets.length).toBeGreaterThan(0);
    for (const a of portalAssets) {
      const text = await (await fetch(server.url + a)).text();
      for (const staffOnly of ['New patient', 'Add problem', 'Book appointment', 'Part 2 records present']) expect(text).not.toContain(staffOnly);
    }
    // The staff app's initial JavaScript stays under its budget (docs/benchmarks.md): 500 KB gzipped.
    const staffHtml = await (await fetch(server.url + '/')).text();
    let gzipped = 0;
    for (const m of staffHtml.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)) gzipped += gzipSync(Buffer.from(await (await fetch(server.url + m[1])).arrayBuffer()), { level: 9 }).length;
    expect(gzipped).toBeGreaterThan(10_000);
    expect(gzipped).toBeLessThan(500 * 1024);
  });

  it('signs in through /oauth2/authorize and shows the signed-in clinician', async () => {
    await page.goto(server.url + '/patients');
    await expect.poll(() => page.url()).toContain('/oauth2/authorize');
    await shot(page, 'sign-in');
    await page.fill('#username', 'dokonkwo');
    await page.fill('#password', DEMO_PASSWORD);
    await page.click('button[type=submit]');
    await page.getByRole('heading', { name: 'Patients' }).waitFor();
    expect(page.url()).toBe(server.url + '/patients');
    expect(await page.getByTestId('user-name').textContent()).toContain('Okonkwo');
  });

  it('finds a patient by name and opens the chart, from the keyboard', async () => {
    // The name field has the focus; typing and Enter search; Tab reaches the first result's link.
    await page.keyboard.type('brooks');
    await page.keyboard.press('Enter');
    const row = page.getByTestId('patient-results').getByRole('link', { name: /Brooks, Linda/ });
    await row.waitFor();
    await shot(page, 'patients');
    await row.focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('patient-banner').waitFor();
    expect(await page.getByTestId('patient-banner').textContent()).toMatch(/Linda .*Brooks/);
    await page.getByRole('heading', { name: 'Active problems' }).waitFor();
    chartUrl = page.url();
    await shot(page, 'chart-summary', true);
    // The first Tab of a page reaches "Skip to content".
    await page.reload();
    await page.getByTestId('patient-banner').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
  });

  it('adds a problem with the code search', async () => {
    await page.getByRole('tab', { name: 'Problems' }).click();
    await choose(page, 'Problem (ICD-10-CM / SNOMED CT)', 'migraine', /Migraine \(G43.909\)/);
    await page.getByRole('button', { name: 'Add problem' }).click();
    await page.getByTestId('problem-list').getByText('Migraine').waitFor();
    await shot(page, 'chart-problems');
  });

  it('adds a medication', async () => {
    await page.getByRole('tab', { name: 'Medications' }).click();
    await choose(page, 'Medication (RxNorm)', 'ibuprofen', /ibuprofen 600 MG/);
    expect(await page.getByLabel('Instructions (sig)').inputValue()).toMatch(/every 8 hours/);
    await page.getByRole('button', { name: 'Add medication' }).click();
    await page.getByTestId('medication-list').getByText('ibuprofen 600 MG Oral Tablet').waitFor();
  });

  it('shows vitals over time as charts', async () => {
    await page.getByRole('tab', { name: 'Vitals & labs' }).click();
    await page.getByLabel('Heart rate (/min)').fill('72');
    await page.getByRole('button', { name: 'Save vitals' }).click();
    await page.getByRole('img', { name: /Heart rate: \d+ values/ }).waitFor();
    await shot(page, 'chart-vitals', true);
  });

  /** The path of the note the next test writes and signs (the co-sign test opens it again). */
  let signedNotePath = '';
  it('writes a SOAP note that autosaves, then signs it', async () => {
    await page.getByRole('tab', { name: 'Notes' }).click();
    await page.getByRole('button', { name: 'Start note' }).click();
    await page.getByLabel('Subjective').fill('Headaches twice a week, worse with screen time.');
    await page.getByLabel('Plan').fill('Ibuprofen as needed; headache diary; follow up in 4 weeks.');
    await expect.poll(() => page.getByTestId('save-state').textContent(), { timeout: 15_000 }).toMatch(/Saved at/);
    expect(page.url()).toMatch(/\/notes\/[A-Za-z0-9-]+$/);
    signedNotePath = new URL(page.url()).pathname;
    await shot(page, 'note-draft');
    await page.getByRole('button', { name: 'Sign note' }).click();
    await page.getByText(/^Signed/).first().waitFor();
    expect(await page.getByRole('button', { name: 'Sign note' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Add addendum' }).waitFor();
    await shot(page, 'note-signed');
    // After a reload (refresh token, no new sign-in) the note is read from the server: signed, with its text.
    await page.reload();
    await page.getByText('Headaches twice a week, worse with screen time.').waitFor();
    // An addendum: a new note that appends to the signed one, signed in its turn.
    await page.getByRole('button', { name: 'Add addendum' }).click();
    await page.getByLabel('Addendum').fill('Patient called: headaches improved.');
    await expect.poll(() => page.getByTestId('save-state').textContent(), { timeout: 15_000 }).toMatch(/Saved at/);
    await page.getByRole('button', { name: 'Sign note' }).click();
    await page.getByText('Addendum to', { exact: false }).first().waitFor();
    await page.getByRole('button', { name: 'Sign note' }).waitFor({ state: 'detached' });
  });

  it('books an appointment and opens the chart from it', async () => {
    await page.goto(server.url + '/');
    await page.getByRole('heading', { name: 'Schedule' }).waitFor();
    await page.getByRole('button', { name: 'Book appointment' }).click();
    const dialog = page.getByRole('dialog', { name: 'Book an appointment' });
    await choose(page, 'Patient', 'brooks', /Brooks, Linda/);
    const tomorrow = new Date(Date.now() + 86_400_000);
    const day = `${tomorrow.getFullYear()}-${String(tomorrow.getMonth() + 1).padStart(2, '0')}-${String(tomorrow.getDate()).padStart(2, '0')}`;
    await dialog.getByLabel('Date').fill(day);
    await dialog.getByLabel('Start time').fill('21:10');
    await dialog.getByRole('button', { name: 'Book' }).click();
    await dialog.waitFor({ state: 'detached' });
    const appt = page.getByTestId('appointment').filter({ hasText: 'Brooks, Linda' });
    await appt.waitFor();
    await shot(page, 'schedule-day');
    await page.locator('label', { hasText: /^Week$/ }).click();
    await page.getByTestId('appointment').first().waitFor();
    await shot(page, 'schedule-week');
    await page.locator('label', { hasText: /^Day$/ }).click();
    await appt.getByRole('link', { name: /Open the chart of Brooks, Linda/ }).click();
    await page.getByTestId('patient-banner').waitFor();
    expect(page.url()).toBe(chartUrl);
    await page.getByText(/9:10\s?PM/).first().waitFor();
  });

  it('moves the appointment, then cancels it', async () => {
    await page.goBack();
    const appt = page.getByTestId('appointment').filter({ hasText: 'Brooks, Linda' });
    await appt.getByRole('button', { name: /Move or cancel/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Move or cancel the appointment' });
    await dialog.getByLabel('New start time').fill('21:40');
    await dialog.getByRole('button', { name: 'Move' }).click();
    await dialog.waitFor({ state: 'detached' });
    await appt.filter({ hasText: /9:40\s?PM/ }).waitFor();
    await appt.getByRole('button', { name: /Move or cancel/ }).click();
    await dialog.getByLabel('Reason for cancelling').fill('Patient request');
    await dialog.getByRole('button', { name: 'Cancel appointment' }).click();
    await dialog.waitFor({ state: 'detached' });
    await appt.waitFor({ state: 'detached' });
  });

  it('is readable on a tablet', async () => {
    await page.setViewportSize({ width: 820, height: 1180 });
    await page.goto(chartUrl);
    await page.getByRole('heading', { name: 'Active problems' }).waitFor();
    await shot(page, 'tablet-chart');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('creates a patient, with messages a person understands', async () => {
    await page.goto(server.url + '/patients');
    await page.getByRole('button', { name: 'New patient' }).click();
    const dialog = page.getByRole('dialog', { name: 'New patient' });
    await dialog.getByLabel('Family name').fill('Quill');
    await dialog.getByLabel('Given name(s)').fill('Ada');
    await dialog.getByLabel('Birth date').fill('1990-02-30');
    await dialog.getByRole('button', { name: 'Create patient' }).click();
    await dialog.getByText('Enter a real date as year-month-day, e.g. 1984-03-21.').waitFor();
    await dialog.getByText('Choose the administrative sex.').waitFor();
    await dialog.getByLabel('Birth date').fill('1990-02-20');
    await dialog.getByLabel('Sex (administrative)').selectOption('female');
    await dialog.getByRole('button', { name: 'Create patient' }).click();
    await page.getByTestId('patient-banner').getByText('Ada Quill').waitFor();
    // Registered with the clinician's organization, so it can be found again.
    await page.goto(server.url + '/patients');
    await page.getByLabel('Name').fill('quill');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByTestId('patient-results').getByRole('link', { name: 'Quill, Ada' }).waitFor();
  });

  it('signs out (revoking the grant) and made no console errors', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You have signed out.').waitFor();
    await page.reload();
    await expect.poll(() => page.url()).toContain('/oauth2/authorize');
    expect(errors).toEqual([]);
  });

  it('the portal signs a patient in and greets them by name', async () => {
    await page.goto(server.url + '/portal/');
    await expect.poll(() => page.url()).toContain('/oauth2/authorize');
    await page.fill('#username', 'linda.brooks');
    await page.fill('#password', DEMO_PASSWORD);
    await page.click('button[type=submit]');
    await page.getByText('Welcome, Linda Marie Brooks.').waitFor();
    expect(new URL(page.url()).pathname).toBe('/portal/');
    await shot(page, 'portal');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You have signed out.').waitFor();
    expect(errors).toEqual([]);
  });

  it('a supervising clinician co-signs the signed note', async () => {
    await page.goto(chartUrl + '/notes');
    await page.fill('#username', 'praman');
    await page.fill('#password', DEMO_PASSWORD);
    await page.click('button[type=submit]');
    // The demo practice's own signed SOAP notes have the same title: pick the one this test wrote.
    await page.getByTestId('note-list').locator(`a[href="${signedNotePath}"]`).click();
    await page.getByRole('button', { name: 'Co-sign' }).click();
    await page.getByText(/co-signed/).first().waitFor();
    await page.getByRole('button', { name: 'Co-sign' }).waitFor({ state: 'detached' });
    expect(errors).toEqual([]);
  });
});
