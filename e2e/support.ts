import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CONFIDE = path.join(ROOT, 'apps/cli/bin/confide.js');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const DEMO_PASSWORD = 'confide-demo-2026';
/** The demo practice's time zone (US Eastern: packages/demo/src/dates.ts), so the browser shows its office hours. */
export const DEMO_TIME_ZONE = 'America/New_York';

/** Builds the web app when its sources changed (the same step `npm start` runs). */
export function buildWebApp(): void {
  execFileSync(process.execPath, [path.join(ROOT, 'apps/web/scripts/ensure-build.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
}

export interface RunningConfide {
  url: string;
  dataDir: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

// The embedded database, whatever the suite's DATABASE_URL says: the issue asks for the laptop setup.
const env = (): NodeJS.ProcessEnv => {
  const e = { ...process.env };
  delete e.DATABASE_URL;
  return e;
};

/** A small demo practice (`confide seed`), then `confide start` on it, on a free port, as its own process. */
export async function startConfide(patients = 8): Promise<RunningConfide> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-e2e-'));
  try {
    execFileSync(process.execPath, [CONFIDE, 'seed', '--patients', String(patients), '--data', dataDir], { env: env(), stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    // Say why: the seed's own error message (it prints no patient data, only its progress and errors).
    throw new Error(`confide seed failed: ${String((e as { stderr?: Buffer }).stderr ?? e).slice(-2000)}`);
  }
  const child = spawn(process.execPath, [CONFIDE, 'start', '--port', '0', '--data', dataDir, '--no-demo'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('confide start timed out:\n' + out)), 120_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m && /Web app:/.test(out)) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`confide start exited with ${code}:\n${out}`)));
  });
  return {
    url,
    dataDir,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => {
          fs.rmSync(dataDir, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** Debian's chromium, headless, with a fresh profile, in the demo practice's time zone; never a downloaded browser. */
export async function launchBrowser(timezoneId = DEMO_TIME_ZONE): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`No browser at ${CHROMIUM}: install Debian's chromium (apt-get install chromium), as .ci/run does, or set CHROMIUM_PATH`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'confide-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    timezoneId,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Console errors, page errors and failed requests of a page (the app must make none). */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('response', (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`));
  return errors;
}

/** Screenshots go to $SCREENSHOTS (docs/screenshots when refreshing them), else nowhere. */
export async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  const dir = process.env.SCREENSHOTS;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage });
}

/** Picks an option of a Mantine Select by typing and clicking it. */
export async function choose(page: Page, label: string | RegExp, typed: string, option: string | RegExp): Promise<void> {
  const input = page.getByRole('textbox', { name: label }).or(page.getByLabel(label)).first();
  await input.click();
  await input.fill(typed);
  await page.getByRole('option', { name: option }).first().click();
}

/**
 * The bearer token of the app's latest FHIR request, so a test can check through the API what the UI did
 * (the app keeps its access token in memory only).
 */
export function watchToken(page: Page): () => string {
  let token = '';
  page.on('request', (r) => {
    const auth = r.headers()['authorization'];
    if (auth && new URL(r.url()).pathname.startsWith('/fhir/R4/')) token = auth;
  });
  return () => {
    if (!token) throw new Error('The app has made no FHIR request yet');
    return token;
  };
}
