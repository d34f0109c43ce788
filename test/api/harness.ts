/**
 * API test harness: a server over a fresh database (SQLite or PostgreSQL) with a small synthetic
 * catalog, a temporary key and outbox, and a client that keeps the session cookie and sends the
 * CSRF token like the web app does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Dataset } from '../../src/datasets/dataset.ts';
import { generateSynthetic } from '../../src/datasets/synthetic.ts';
import type { Db } from '../../src/db/connection.ts';
import { buildServer, type ServerOptions } from '../../src/http/server.ts';
import { importDataset } from '../../src/services/datasets.ts';
import { testDatabases, type TestDatabase } from '../helpers/databases.ts';
import { tempDir } from '../helpers/files.ts';

export const PASSWORD = 'correct horse battery';
export const CATALOG = { users: 60, movies: 200, ratings: 4000, seed: 7 };

export interface Api {
  app: FastifyInstance;
  db: Db;
  outbox: string;
  close(): Promise<void>;
}

/** Each test server's outbox folder, so a Client can follow the links mailed to it. */
const outboxOf = new WeakMap<FastifyInstance, string>();

export async function startApi(
  database: TestDatabase,
  options: Partial<ServerOptions> = {},
  dataset: Dataset = generateSynthetic(CATALOG),
): Promise<Api> {
  const db = await database.open();
  await importDataset(db, dataset, 'empty');
  const outbox = tempDir('lenslab-outbox-');
  // A server refused (as an attack test expects) leaves no database behind on the shared server.
  const app = await buildServer({
    db,
    vaultOptions: { secret: 'test secret: not for production use' },
    mailerOptions: { outboxDir: outbox, smtpUrl: '' },
    // Biased MF: quick to fit on the small catalog (the site's default may be a slower blend).
    recommenderOptions: {
      modelsDir: tempDir('lenslab-models-'),
      watchIntervalMs: 0,
      algorithm: 'svd',
    },
    rateLimits: { loginPerMinute: 1000, registerPerMinute: 1000, passwordResetPerMinute: 1000 },
    ...options,
  }).catch(async (error: unknown) => {
    await database.cleanup(db);
    throw error;
  });
  outboxOf.set(app, outbox);
  return {
    app,
    db,
    outbox,
    async close() {
      await app.close();
      await database.cleanup(db);
    },
  };
}

/**
 * A suite run once per test database against one server started before its tests and closed
 * after them. `api` is filled in by the time the tests run.
 */
export function describeApi(
  name: string,
  body: (api: Api, database: TestDatabase) => void,
  options: Partial<ServerOptions> = {},
): void {
  for (const database of testDatabases) {
    describe(`${name} (${database.name})`, { skip: database.skip }, () => {
      const api = {} as Api;
      before(async () => {
        Object.assign(api, await startApi(database, options));
      });
      after(async () => api.close?.());
      body(api, database);
    });
  }
}

/**
 * A server whose request log and service messages are kept in `lines`, to check what it logs.
 * Close it with `close()`.
 */
export async function startLoggedApi(database: TestDatabase): Promise<Api & { lines: string[] }> {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const api = await startApi(database, {
    logger: { level: 'info', stream },
    log: (message) => lines.push(message),
  });
  return { ...api, lines };
}

let counter = 0;
/** A fresh e-mail address for a test member. */
export function newEmail(label = 'member'): string {
  counter++;
  return `${label}.${process.pid}.${counter}@example.org`;
}

/** A browser-like client: cookie jar + CSRF header on state-changing requests. */
export class Client {
  cookie: string | null = null;
  csrfToken: string | null = null;

  /** `source`: the client's IP address as the server sees it (default 127.0.0.1). */
  constructor(
    readonly app: FastifyInstance,
    readonly source?: string,
  ) {}

  private remember(response: LightMyRequestResponse): void {
    const setCookie = response.headers['set-cookie'];
    for (const line of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
      const [pair] = line.split(';');
      const [name, value] = pair.split('=');
      if (name !== 'lenslab_session' && name !== '__Host-lenslab_session') continue;
      this.cookie =
        value === '' || /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(line)
          ? null
          : `${name}=${value}`;
    }
  }

  async request(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    const allHeaders: Record<string, string> = { ...headers };
    if (this.cookie) allHeaders.cookie = this.cookie;
    if (method !== 'GET' && this.csrfToken && !('x-csrf-token' in headers))
      allHeaders['x-csrf-token'] = this.csrfToken;
    const response = await this.app.inject({
      method,
      url,
      headers: allHeaders,
      ...(this.source ? { remoteAddress: this.source } : {}),
      ...(body === undefined ? {} : { payload: body as object }),
    });
    this.remember(response);
    const json =
      response.body.length > 0 && /json/.test(String(response.headers['content-type']))
        ? response.json()
        : undefined;
    if (json && typeof json === 'object' && 'csrfToken' in json)
      this.csrfToken = (json as { csrfToken: string }).csrfToken;
    return { status: response.statusCode, json, body: response.body, headers: response.headers };
  }

  get(url: string, headers?: Record<string, string>) {
    return this.request('GET', url, undefined, headers);
  }

  /**
   * Signs up and follows the link mailed from the outbox with the sign-up password: a new
   * member, logged in.
   */
  async register(email = newEmail(), password = PASSWORD, extra: Record<string, unknown> = {}) {
    const outbox = outboxOf.get(this.app);
    if (!outbox) throw new Error('register: this server was not started by startApi');
    const before = new Set(emlFiles(outbox));
    const response = await this.request('POST', '/api/auth/register', {
      email,
      password,
      ...extra,
    });
    if (response.status !== 202) throw new Error(`register: ${response.status} ${response.body}`);
    const token = await signupToken(outbox, email, before);
    const verified = await this.request('POST', '/api/auth/register/verify', { token, password });
    if (verified.status !== 200)
      throw new Error(`register/verify: ${verified.status} ${verified.body}`);
    return { email, password, id: (verified.json as { member: { id: number } }).member.id };
  }

  async login(email: string, password = PASSWORD) {
    return this.request('POST', '/api/auth/login', { email, password });
  }
}

/** A logged-in member's client. */
export async function member(api: Api, extra: Record<string, unknown> = {}) {
  const client = new Client(api.app);
  const account = await client.register(newEmail(), PASSWORD, extra);
  return { client, ...account };
}

/** The names of the outbox's .eml files, oldest first. */
export function outboxFiles(api: Api): string[] {
  return emlFiles(api.outbox);
}

function emlFiles(outbox: string): string[] {
  return readdirSync(outbox)
    .filter((name) => name.endsWith('.eml'))
    .sort();
}

/** The .eml files in the outbox, oldest first. */
export function outboxMessages(api: Api): string[] {
  return emlFiles(api.outbox).map((name) => readFileSync(join(api.outbox, name), 'utf8'));
}

/**
 * Waits for a message to `email`, in a file not in `skip`, from whose decoded text `pick` takes
 * something (not null or undefined), and returns that; `missing` names what was awaited.
 */
async function waitForPick<T>(
  outbox: string,
  email: string,
  skip: ReadonlySet<string>,
  pick: (mail: string) => T | null | undefined,
  missing: string,
): Promise<T> {
  const to = new RegExp(`^To: ${email.toLowerCase().replace(/[.+]/g, '\\$&')}$`, 'm');
  for (let attempt = 0; attempt < 800; attempt++) {
    for (const name of emlFiles(outbox).reverse()) {
      if (skip.has(name)) continue;
      const mail = decodeMail(readFileSync(join(outbox, name), 'utf8'));
      if (!to.test(mail)) continue;
      const picked = pick(mail);
      if (picked !== null && picked !== undefined) return picked;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${missing} in ${outbox}`);
}

/**
 * Waits for a sign-up link mailed to `email` in a file not in `skip` (the files there before the
 * sign-up) and returns its token.
 */
export function signupToken(
  outbox: string,
  email: string,
  skip: ReadonlySet<string> = new Set(),
): Promise<string> {
  return waitForPick(
    outbox,
    email,
    skip,
    (mail) => /\/verify-email\?token=([A-Za-z0-9_-]+)/.exec(mail)?.[1],
    `no sign-up link for ${email}`,
  );
}

/**
 * Waits for a message to `email` whose decoded text matches `pattern`, in a file not in `skip`,
 * and returns the decoded text.
 */
export function waitForMailTo(
  api: Api,
  email: string,
  pattern: RegExp,
  skip: ReadonlySet<string> = new Set(),
): Promise<string> {
  return waitForPick(
    api.outbox,
    email,
    skip,
    (mail) => (pattern.test(mail) ? mail : null),
    `no e-mail to ${email} matching ${pattern}`,
  );
}

/** Waits until the outbox holds `count` messages (mail is sent in the background). */
export async function waitForMail(api: Api, count: number): Promise<string[]> {
  for (let attempt = 0; attempt < 800; attempt++) {
    const messages = outboxMessages(api);
    if (messages.length >= count) return messages;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(
    `expected ${count} e-mails in ${api.outbox}, found ${outboxMessages(api).length}`,
  );
}

/** A message with its headers unfolded and its body decoded, so links can be matched. */
export function decodeMail(message: string): string {
  const split = message.search(/\r?\n\r?\n/);
  const head = split < 0 ? message : message.slice(0, split);
  const body = split < 0 ? '' : message.slice(split).replace(/^\r?\n\r?\n/, '');
  const headers = head.replace(/\r?\n[ \t]+/g, ' ');
  const encoding = /^Content-Transfer-Encoding:\s*(\S+)/im.exec(headers)?.[1]?.toLowerCase();
  let decoded = body;
  if (encoding === 'base64') decoded = Buffer.from(body, 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const bytes = body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    decoded = Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return `${headers}\n\n${decoded}`;
}

/** Ids of the most popular movies of the catalog, for rating. */
export async function popularMovieIds(client: Client, count: number): Promise<number[]> {
  const response = await client.get(`/api/movies?sort=popularity&pageSize=${count}`);
  return (response.json as { items: Array<{ id: number }> }).items.map((m) => m.id);
}
