import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { buildWebApp, choose, DEMO_PASSWORD, launchBrowser, shot, startConfide, watchErrors, watchToken, type RunningConfide } from './support.ts';

/**
 * The clinician's day in a real browser (Debian's chromium) against a real `confide start` on the embedded
 * database: sign in, find a patient, add a problem and a medication, write and sign a note, book an
 * appointment from a free Slot, move it to another and cancel one, sign out.
 */
describe('the clinician web app, end to end', () => {
  let server: RunningConfide;
  let browser: { context: BrowserContext; close(): Promise<void> };
  let page: Page;
  let errors: string[];
  let token: () => string;
  let chartUrl: string;

  beforeAll(async () => {
    buildWebApp();
    server = await startConfide(8);
    browser = await launchBrowser();
    page = await browser.context.newPage();
    errors = watchErrors(page);
    token = watchToken(page);
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

  it('records an allergy, which the banner shows until it is resolved', async () => {
    await page.getByRole('tab', { name: 'Allergies' }).click();
    await choose(page, 'Substance', 'latex', 'Latex');
    await page.getByRole('button', { name: 'Add allergy' }).click();
    const banner = page.getByRole('region', { name: 'Patient banner' });
    await banner.getByText(/Latex/).waitFor();
    await page.getByRole('textbox', { name: 'Status of Latex' }).or(page.getByLabel('Status of Latex')).first().click();
    await page.getByRole('option', { name: 'resolved' }).click();
    await banner.getByText(/Latex/).waitFor({ state: 'detached' });
    await shot(page, 'chart-allergies');
  });

  it('shows vitals over time as charts', async () => {
    await page.getByRole('tab', { name: 'Vitals & labs' }).click();
    await page.getByLabel('Heart rate (/min)').fill('72');
    await page.getByRole('button', { name: 'Save vitals' }).click();
    await page.getByRole('img', { name: /Heart rate: \d+ values/ }).waitFor();
    await shot(page, 'chart-vitals', true);
  });

  it('corrects a mistyped vital, then voids it as entered in error', async () => {
    const table = page.getByRole('table', { name: 'Recent measurements' });
    // The previous step's save is done when its measurement is listed (and the form emptied).
    await table.getByRole('row').filter({ hasText: '72 beats/min' }).first().waitFor();
    await page.getByLabel('Heart rate (/min)').fill('27');
    await page.getByRole('button', { name: 'Save vitals' }).click();
    const row = table.getByRole('row').filter({ hasText: '27 beats/min' });
    await row.getByRole('button', { name: /^Correct Heart rate/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Correct a measurement' });
    await dialog.getByLabel('Heart rate (beats/min)').fill('72');
    await shot(page, 'chart-vitals-correct');
    await dialog.getByRole('button', { name: 'Save correction' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const corrected = table.getByRole('row').filter({ hasText: 'Heart rate (corrected)' });
    await corrected.getByText('72 beats/min').waitFor();
    await corrected.getByRole('button', { name: /entered in error$/ }).click();
    await corrected.waitFor({ state: 'detached' });
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

  /** Reads a resource through the FHIR API with the app's own token. */
  const api = async (path: string): Promise<any> => {
    const res = await fetch(`${server.url}/fhir/R4/${path}`, { headers: { Authorization: token(), Accept: 'application/fhir+json' } });
    expect(res.status).toBe(200);
    return res.json();
  };
  const slotStatus = async (ref: string): Promise<string> => (await api(ref)).status;
  /** The schedule on screen is the server's answer (not the last one, still loading). */
  const settled = () => page.locator('[data-testid="schedule"][aria-busy="false"]').waitFor();
  /** Does `action` and waits until the schedule it makes the page read again is on screen. */
  const reading = async (action: () => Promise<void>) => {
    const read = page.waitForResponse((r) => new URL(r.url()).pathname === '/fhir/R4/Slot');
    await action();
    await read;
    await settled();
  };
  const writeOf = (method: string) => page.waitForResponse((r) => r.request().method() === method && /\/fhir\/R4\/Appointment(\/|$)/.test(new URL(r.url()).pathname));

  /** The schedule tests run in a window tall enough for a whole day of Slots (the screenshots show it all). */
  const tallShot = async (name: string) => {
    await page.mouse.move(0, 0);
    await shot(page, name);
  };

  /** In the open booking dialog: Linda Brooks, booked; the Appointment the server made. */
  const bookLinda = async () => {
    const dialog = page.getByRole('dialog', { name: 'Book an appointment' });
    await choose(page, 'Patient', 'brooks', /Brooks, Linda/);
    const created = writeOf('POST');
    await dialog.getByRole('button', { name: 'Book' }).click();
    const appointment = await (await created).json();
    await dialog.waitFor({ state: 'detached' });
    return appointment;
  };

  /** The appointment booked from a free Slot (its id and the Slot it fills), moved by the next test. */
  let booked = { id: '', slot: '', label: '' };
  it('books an appointment from a free slot and opens the chart from it', async () => {
    await page.setViewportSize({ width: 1280, height: 1180 });
    await page.goto(server.url + '/');
    await page.getByRole('heading', { name: 'Schedule' }).waitFor();
    await settled();
    // The demo's Slots begin tomorrow, on weekdays: step to the first day with a free one.
    const free = page.getByTestId('free-slot');
    for (let i = 0; i < 5 && (await free.count()) === 0; i++) await reading(() => page.getByRole('button', { name: 'Next day' }).click());
    // Every free Slot is a button named for its time, so a screen reader says what it books.
    const first = free.first();
    booked.label = (await first.getAttribute('aria-label'))!;
    expect(booked.label).toMatch(/^Book \d{1,2}:\d{2}\s?[AP]M, \w+day, \w+ \d{1,2}, free slot$/);
    // Office hours in the practice's time zone: nothing before 8 AM.
    expect(booked.label).not.toMatch(/^Book ([1-7]:\d{2}\s?AM|12:\d{2}\s?AM)/);
    await first.focus();
    await page.keyboard.press('Enter');
    const appointment = await bookLinda();
    booked = { ...booked, id: appointment.id, slot: appointment.slot[0].reference };
    expect(appointment.slot).toHaveLength(1);
    // The server filled the Slot in the same transaction; the UI shows the appointment in it and no free button.
    expect(await slotStatus(booked.slot)).toBe('busy');
    const line = page.locator(`[data-appointment-id="${booked.id}"]`);
    await line.getByRole('link', { name: 'Open the chart of Brooks, Linda' }).waitFor();
    await page.getByText('The appointment is booked.').waitFor();
    // The free slot that opened the dialog is gone: the focus is on the confirmation, not lost.
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('schedule-done');
    expect(await page.getByRole('button', { name: booked.label, exact: true }).count()).toBe(0);
    await line.getByRole('link', { name: /Open the chart of Brooks, Linda/ }).click();
    await page.getByTestId('patient-banner').waitFor();
    expect(page.url()).toBe(chartUrl);
    const [, hour, half] = /^Book (\d{1,2}:\d{2})\s?([AP]M)/.exec(booked.label)!;
    await page.getByText(new RegExp(`${hour}\\s?${half}`)).first().waitFor();
    await reading(async () => void (await page.goBack()));
  });

  it('moves the appointment to another free slot, and cancels another', async () => {
    const line = page.locator(`[data-appointment-id="${booked.id}"]`);
    await line.getByRole('button', { name: /^Move the appointment of Brooks, Linda/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Move the appointment' });
    const options = dialog.getByRole('radio');
    await options.first().waitFor();
    // Free slots only: not the one the appointment is in.
    const [, hour, half] = /^Book (\d{1,2}:\d{2})\s?([AP]M)/.exec(booked.label)!;
    expect(await dialog.getByRole('radio', { name: new RegExp(`^${hour}\\s?${half}–`) }).count()).toBe(0);
    // The radio group is operated from the keyboard: focus the first free slot, arrow down to the second.
    await options.first().focus();
    await page.keyboard.press('ArrowDown');
    const target = dialog.getByRole('radio', { checked: true });
    const targetTime = (await target.evaluate((el) => (el as HTMLInputElement).labels?.[0]?.textContent ?? ''))!;
    await shot(page, 'schedule-move');
    const moved = writeOf('PUT');
    await dialog.getByRole('button', { name: 'Move' }).click();
    const after = await (await moved).json();
    await dialog.waitFor({ state: 'detached' });
    expect(after.meta.versionId).toBe('2');
    const newSlot = after.slot[0].reference;
    expect(newSlot).not.toBe(booked.slot);
    // The old Slot is free again and the new one busy, in the server and on screen.
    expect(await slotStatus(booked.slot)).toBe('free');
    expect(await slotStatus(newSlot)).toBe('busy');
    await page.getByText('The appointment is moved.').waitFor();
    await page.getByRole('button', { name: booked.label, exact: true }).waitFor();
    await line.getByRole('button', { name: new RegExp(`^Move the appointment of Brooks, Linda.* at ${targetTime.split('–')[0]}`) }).waitFor();
    await tallShot('schedule-day');

    // With the mouse, the appointment can also be dragged onto a free slot (the last one of the day).
    const last = page.getByTestId('free-slot').last();
    const lastLabel = (await last.getAttribute('aria-label'))!;
    const dragged = writeOf('PUT');
    await line.dragTo(last);
    const afterDrag = await (await dragged).json();
    expect(afterDrag.slot[0].reference).not.toBe(newSlot);
    expect(await slotStatus(newSlot)).toBe('free');
    expect(await slotStatus(afterDrag.slot[0].reference)).toBe('busy');
    const [, lastHour, lastHalf] = /^Book (\d{1,2}:\d{2})\s?([AP]M)/.exec(lastLabel)!;
    await line.getByRole('button', { name: new RegExp(`^Move the appointment of Brooks, Linda.* at ${lastHour}\\s?${lastHalf}`) }).waitFor();

    // Another appointment, in the first free Slot, is cancelled: its Slot is free again.
    const first = page.getByTestId('free-slot').first();
    const label = (await first.getAttribute('aria-label'))!;
    await first.click();
    const other = await bookLinda();
    expect(await slotStatus(other.slot[0].reference)).toBe('busy');
    await page.locator(`[data-appointment-id="${other.id}"]`).getByRole('button', { name: /^Cancel the appointment of Brooks, Linda/ }).click();
    const cancel = page.getByRole('dialog', { name: 'Cancel the appointment' });
    await cancel.getByLabel('Note (optional)').fill('Patient request by phone');
    const cancelled = writeOf('PUT');
    await cancel.getByRole('button', { name: 'Cancel appointment' }).click();
    const gone = await (await cancelled).json();
    await cancel.waitFor({ state: 'detached' });
    expect(gone.status).toBe('cancelled');
    expect(gone.cancelationReason.text).toBe('Patient request by phone');
    expect(await slotStatus(other.slot[0].reference)).toBe('free');
    await page.getByText('The appointment is cancelled; its slot is free again.').waitFor();
    await page.locator(`[data-appointment-id="${other.id}"]`).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: label, exact: true }).waitFor();
    // The moved appointment keeps the Slot it was dragged to.
    expect(await slotStatus(afterDrag.slot[0].reference)).toBe('busy');

    await reading(() => page.locator('label', { hasText: /^Week$/ }).click());
    await page.locator(`[data-appointment-id="${booked.id}"]`).waitFor();
    await tallShot('schedule-week');
    await page.locator('label', { hasText: /^Day$/ }).click();
    await page.setViewportSize({ width: 1280, height: 800 });
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
