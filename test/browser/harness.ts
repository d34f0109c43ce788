// Helpers for the browser tests: start the real lenslab server (fresh SQLite database, its own
// outbox folder) on a free port, launch Debian's Chromium through playwright-core, and read
// the e-mails the server wrote to the outbox.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before } from 'node:test';
import {
  chromium,
  type APIRequestContext,
  type Browser,
  type BrowserContext,
  type Page,
} from 'playwright-core';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(REPO_ROOT, 'artifacts', 'screenshots');
/** The viewport of a phone (390 px wide) and of a desktop window. */
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };
/** The password the suite's members sign up with, unless told another. */
export const PASSWORD = 'correct horse battery staple';

/** Why the browser tests cannot run here, or false when they can (CI must have Chromium). */
export function browserSkipReason(): string | false {
  if (existsSync(CHROMIUM)) return false;
  if (process.env.CI) throw new Error(`Chromium not found at ${CHROMIUM}; .ci/run must install it`);
  return `Chromium not found at ${CHROMIUM} (apt-get install -y chromium); skipping browser tests`;
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** The test's environment without SMTP or database settings, plus `extra`. */
function serverEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.SMTP_URL;
  delete env.DATABASE_URL;
  delete env.PORT;
  delete env.HOST;
  return env;
}

export interface RunningServer {
  baseUrl: string;
  outbox: string;
  /** The server's SQLite database file (for `lenslab … --db`). */
  dbPath: string;
  /** Everything the server printed so far (for failure messages). */
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts `lenslab serve` from the repository (so it builds dist/ui when stale) on a free port
 * with a fresh SQLite database in a temporary folder (its console releases too, not the
 * repository's data/); resolves once it listens. `prepare` may fill the database file first
 * (else the server seeds its demo catalog).
 */
export async function startServer(
  startTimeoutMs = 180_000,
  prepare?: (dbPath: string) => Promise<void>,
): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'lenslab-browser-'));
  const outbox = join(dir, 'outbox');
  mkdirSync(outbox);
  await prepare?.(join(dir, 'lenslab.db'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(REPO_ROOT, 'src/cli/main.ts'),
      'serve',
      '--db',
      join(dir, 'lenslab.db'),
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
    ],
    {
      cwd: REPO_ROOT,
      env: serverEnvironment({
        LENSLAB_SECRET: randomBytes(24).toString('hex'),
        LENSLAB_OUTBOX: outbox,
        LENSLAB_RELEASES_DIR: join(dir, 'releases'),
        PUBLIC_URL: baseUrl,
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`lenslab serve exited with code ${child.exitCode}:\n${output}`);
    }
    if (/listening on/.test(output)) {
      try {
        const response = await fetch(`${baseUrl}/api/session`);
        if (response.ok) break;
      } catch {
        // not yet accepting connections
      }
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`lenslab serve did not start within ${startTimeoutMs / 1000} s:\n${output}`);
    }
    await new Promise((wake) => setTimeout(wake, 200));
  }
  return { baseUrl, outbox, dbPath: join(dir, 'lenslab.db'), output: () => output, stop };
}

/** Grants a role to a member with `lenslab users grant` on the server's database. */
export async function grantRole(
  server: RunningServer,
  role: 'researcher' | 'admin',
  memberId: number,
): Promise<void> {
  const cli = [join(REPO_ROOT, 'src/cli/main.ts'), 'users', 'grant', '--db', server.dbPath];
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', ...cli, '--role', role, String(memberId), '--json'],
    { cwd: REPO_ROOT },
  );
  if (!(JSON.parse(stdout) as { changed: boolean }).changed) {
    throw new Error(`member ${memberId} already had the role ${role}`);
  }
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Saves a screenshot (of the full page unless told otherwise) as artifacts/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // Sticky header and onboarding bar render where they belong only when scrolled to the top.
  if (fullPage) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage });
}

/** Decodes a quoted-printable e-mail body (soft line breaks and =XX escapes). */
export function decodeQuotedPrintable(text: string): string {
  const joined = text.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const char = joined[i];
    if (char === '=' && /^[0-9A-F]{2}$/i.test(joined.slice(i + 1, i + 3))) {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(char, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The readable text of an .eml file (headers and decoded body). */
export function readEml(path: string): string {
  const raw = readFileSync(path, 'utf8');
  const split = raw.search(/\r?\n\r?\n/);
  const headers = split >= 0 ? raw.slice(0, split) : raw;
  const body = split >= 0 ? raw.slice(split).trimStart() : '';
  if (/content-transfer-encoding:\s*base64/i.test(headers)) {
    return `${headers}\n\n${Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')}`;
  }
  if (/content-transfer-encoding:\s*quoted-printable/i.test(headers)) {
    return `${headers}\n\n${decodeQuotedPrintable(body)}`;
  }
  return raw;
}

/** Waits for an e-mail in the outbox whose text matches `pattern`; returns the match. */
export async function waitForMail(
  outbox: string,
  pattern: RegExp,
  timeoutMs = 15_000,
): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const files = existsSync(outbox) ? readdirSync(outbox).filter((f) => f.endsWith('.eml')) : [];
    for (const file of files.sort().reverse()) {
      const match = readEml(join(outbox, file)).match(pattern);
      if (match) return match;
    }
    if (Date.now() > deadline) {
      throw new Error(`no e-mail matching ${pattern} in ${outbox} (${files.length} files)`);
    }
    await new Promise((wake) => setTimeout(wake, 100));
  }
}

/** The sign-up link mailed to `email` (the newest), as a regular expression on the mail text. */
export function signupLinkPattern(email: string): RegExp {
  const address = email.toLowerCase().replace(/[.+]/g, '\\$&');
  return new RegExp(`^To: ${address}$[\\s\\S]*?(/verify-email\\?token=[A-Za-z0-9_-]+)`, 'm');
}

/**
 * Signs up through the API and follows the link from the outbox with the sign-up password, as a
 * member would: the context's cookies then hold the new member's session. Returns the member id.
 */
export async function registerAndVerify(
  request: APIRequestContext,
  server: RunningServer,
  email: string,
  password: string,
): Promise<number> {
  const signup = await request.post('/api/auth/register', { data: { email, password } });
  if (signup.status() !== 202) {
    throw new Error(`sign-up answered ${signup.status()}: ${await signup.text()}`);
  }
  const link = (await waitForMail(server.outbox, signupLinkPattern(email)))[1];
  const token = new URL(link, server.baseUrl).searchParams.get('token');
  const verified = await request.post('/api/auth/register/verify', {
    data: { token, password },
  });
  if (verified.status() !== 200) {
    throw new Error(`the sign-up link answered ${verified.status()}: ${await verified.text()}`);
  }
  return ((await verified.json()) as { member: { id: number } }).member.id;
}

/** The CSRF token of the request context's session, as the web app sends it. */
export async function csrfToken(request: APIRequestContext): Promise<string> {
  const session = (await (await request.get('/api/session')).json()) as { csrfToken: string };
  return session.csrfToken;
}

/**
 * Rates through the API, as the context's member, the movies `/api/movies?<query>` lists: the
 * k-th (from 0) with `rating(k)` stars. Fails unless every rating is saved.
 */
export async function rateMovies(
  request: APIRequestContext,
  query: string,
  rating: (k: number) => number,
): Promise<void> {
  const headers = { 'x-csrf-token': await csrfToken(request) };
  const movies = (await (await request.get(`/api/movies?${query}`)).json()) as {
    items: Array<{ id: number }>;
  };
  for (const [k, movie] of movies.items.entries()) {
    const saved = await request.put(`/api/ratings/${movie.id}`, {
      data: { rating: rating(k) },
      headers,
    });
    if (saved.status() !== 200) {
      throw new Error(`rating movie ${movie.id} answered ${saved.status()}: ${await saved.text()}`);
    }
  }
}

export interface BrowserSuite {
  server: RunningServer;
  browser: Browser;
  /** Uncaught errors of every page opened with `newPage` (a test asserts there are none). */
  pageErrors: string[];
  /** A new browser context on the server (closed after the tests). */
  newContext: (viewport: { width: number; height: number }) => Promise<BrowserContext>;
  /** A page of the context whose uncaught errors go to `pageErrors`. */
  newPage: (context: BrowserContext, timeoutMs?: number) => Promise<Page>;
  /** Signs up a new member (e-mail `<label>.<random>@example.org`) in the context; their id. */
  register: (context: BrowserContext, label: string) => Promise<number>;
  /** A fresh context with a newly registered, logged-in member, and a page. */
  newMember: (
    label: string,
    viewport: { width: number; height: number },
    timeoutMs?: number,
  ) => Promise<{ context: BrowserContext; page: Page; id: number }>;
}

/**
 * Starts the server and Chromium before the file's tests (unless `skip`) and closes them, with
 * every context opened through the suite, after them. Members sign up with `password`;
 * `prepare` may fill the server's database first (see `startServer`). The suite's methods wait
 * for the start, so a file's own `before` hook may use them (Node runs top-level hooks at once).
 */
export function browserSuite(
  skip: string | false,
  password = PASSWORD,
  prepare?: (dbPath: string) => Promise<void>,
): BrowserSuite {
  const contexts: BrowserContext[] = [];
  let starting: Promise<void> | undefined;
  const start = () =>
    (starting ??= (async () => {
      suite.server = await startServer(undefined, prepare);
      suite.browser = await launchBrowser();
    })());
  const suite: BrowserSuite = {
    server: undefined as unknown as RunningServer,
    browser: undefined as unknown as Browser,
    pageErrors: [],
    async newContext(viewport) {
      await start();
      const context = await suite.browser.newContext({ baseURL: suite.server.baseUrl, viewport });
      contexts.push(context);
      return context;
    },
    async newPage(context, timeoutMs = 20_000) {
      const page = await context.newPage();
      page.setDefaultTimeout(timeoutMs);
      page.on('pageerror', (error) => suite.pageErrors.push(`uncaught: ${error.message}`));
      return page;
    },
    register(context, label) {
      const email = `${label}.${randomBytes(4).toString('hex')}@example.org`;
      return registerAndVerify(context.request, suite.server, email, password);
    },
    async newMember(label, viewport, timeoutMs) {
      const context = await suite.newContext(viewport);
      const id = await suite.register(context, label);
      return { context, page: await suite.newPage(context, timeoutMs), id };
    },
  };
  before(async () => {
    if (!skip) await start();
  });
  after(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await suite.browser?.close().catch(() => {});
    await suite.server?.stop();
  });
  return suite;
}
