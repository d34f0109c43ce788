/**
 * Many app nodes, one database (#14): two `lenslab serve` processes on one PostgreSQL schema and
 * on one SQLite file. A change made through node A — a rating, a recommender switch, a privacy
 * setting, a logout, an account deletion — and a model published by `lenslab train` show on node
 * B within 2 s, in state B holds in memory (catalog statistics, the member's ratings and lists,
 * cached sessions, the served model). `--workers 2` runs two such nodes on one port.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { serveNodeFlags } from '../../src/cli/serveNodeFlags.ts';
import { generateSynthetic } from '../../src/datasets/synthetic.ts';
import type { Db } from '../../src/db/connection.ts';
import { importDataset } from '../../src/services/datasets.ts';
import { testDatabases } from '../helpers/databases.ts';
import { tempDir } from '../helpers/files.ts';
import { CATALOG, newEmail, PASSWORD, signupToken } from './harness.ts';

const LENSLAB = new URL('../../bin/lenslab', import.meta.url).pathname;
const run = promisify(execFile);
/** What the issue promises; the feed is much faster (PostgreSQL: at commit; SQLite: 250 ms). */
const WITHIN_MS = 2000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

interface Node {
  url: string;
  process: ChildProcess;
  output: string[];
}

async function startNode(
  db: Db,
  outbox: string,
  models: string,
  extra: string[] = [],
): Promise<Node> {
  const port = await freePort();
  const child = spawn(
    LENSLAB,
    [
      'serve',
      '--db',
      db.location,
      '--port',
      String(port),
      '--models',
      models,
      '--no-ui',
      '--no-demo',
      '--no-log',
      ...extra,
    ],
    {
      env: {
        ...process.env,
        LENSLAB_SECRET: 'test secret: not for production use',
        LENSLAB_OUTBOX: outbox,
        LENSLAB_MODELS_DIR: models,
        SMTP_URL: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output: string[] = [];
  child.stdout!.on('data', (chunk) => output.push(String(chunk)));
  child.stderr!.on('data', (chunk) => output.push(String(chunk)));
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 600; attempt++) {
    if (child.exitCode !== null) break;
    try {
      if ((await fetch(`${url}/api/health`)).ok) return { url, process: child, output };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill();
  throw new Error(`the node did not start:\n${output.join('')}`);
}

async function stopNode(node: Node): Promise<void> {
  if (node.process.exitCode !== null) return;
  const exited = new Promise((resolve) => node.process.once('exit', resolve));
  node.process.kill('SIGTERM');
  await exited;
}

/** A browser-like client of one node (the session cookie works on every node). */
class Browser {
  cookie: string | null = null;
  csrf: string | null = null;

  async request(node: Node, method: string, path: string, body?: unknown) {
    const headers: Record<string, string> = {};
    if (this.cookie) headers.cookie = this.cookie;
    if (method !== 'GET' && this.csrf) headers['x-csrf-token'] = this.csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${node.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      if (!/lenslab_session=/.test(pair)) continue;
      this.cookie = /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(line) ? null : pair;
    }
    const text = await response.text();
    const json = /json/.test(response.headers.get('content-type') ?? '') ? JSON.parse(text) : null;
    if (json && typeof json.csrfToken === 'string') this.csrf = json.csrfToken;
    return { status: response.status, json };
  }

  async register(node: Node, outbox: string) {
    const email = newEmail('node');
    const response = await this.request(node, 'POST', '/api/auth/register', {
      email,
      password: PASSWORD,
    });
    assert.equal(response.status, 202);
    const token = await signupToken(outbox, email);
    const verified = await this.request(node, 'POST', '/api/auth/register/verify', {
      token,
      password: PASSWORD,
    });
    assert.equal(verified.status, 200);
  }
}

/** Polls `read` until `done` holds; returns how long it took (fails after WITHIN_MS). */
async function within<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string) {
  const started = Date.now();
  let value = await read();
  while (!done(value)) {
    if (Date.now() - started > WITHIN_MS)
      assert.fail(
        `${what}: not seen on the other node within ${WITHIN_MS} ms (last: ${JSON.stringify(value)})`,
      );
    await new Promise((resolve) => setTimeout(resolve, 20));
    value = await read();
  }
  return Date.now() - started;
}

for (const database of testDatabases) {
  describe(`two app nodes on one ${database.name} database`, { skip: database.skip }, () => {
    let db: Db;
    let a: Node;
    let b: Node;
    const outbox = tempDir('lenslab-outbox-');

    before(async () => {
      db = await database.open();
      await importDataset(db, generateSynthetic(CATALOG), 'empty');
      // Each node has its own models folder, as on machines of their own.
      [a, b] = await Promise.all([
        startNode(db, outbox, tempDir('lenslab-models-')),
        startNode(db, outbox, tempDir('lenslab-models-')),
      ]);
    });
    after(async () => {
      await Promise.all([a && stopNode(a), b && stopNode(b)]);
      await database.cleanup(db);
    });

    const movie = async (node: Node, browser: Browser, id: number) =>
      (await browser.request(node, 'GET', `/api/movies/${id}`)).json as {
        ratingsCount: number;
        yourRating: number | null;
      };

    test('a rating through A reaches B: the statistics and the member’s own rating', async (t) => {
      const browser = new Browser();
      await browser.register(a, outbox);
      const id = 1;
      const before = await movie(b, browser, id);
      assert.equal(before.yourRating, null);
      const rated = await browser.request(a, 'PUT', `/api/ratings/${id}`, { rating: 4.5 });
      assert.equal(rated.status, 200, JSON.stringify(rated.json));
      const ms = await within(
        () => movie(b, browser, id),
        (m) => m.ratingsCount === before.ratingsCount + 1 && m.yourRating === 4.5,
        'the rating',
      );
      t.diagnostic(`the rating was seen on B after ${ms} ms (polled every 20 ms)`);
      // Removing it.
      assert.equal((await browser.request(a, 'DELETE', `/api/ratings/${id}`)).status, 204);
      await within(
        () => movie(b, browser, id),
        (m) => m.ratingsCount === before.ratingsCount && m.yourRating === null,
        'the removal',
      );
    });

    test('a model published by `lenslab train` (a scheduled job) is served by every node', async () => {
      const health = async (node: Node) =>
        ((await (await fetch(`${node.url}/api/health`)).json()) as { model: { version: string } })
          .model.version;
      assert.match(await health(a), /^fitted-/);
      const { stdout } = await run(LENSLAB, [
        'train',
        '--db',
        db.location,
        '--algo',
        'svd',
        '--no-metrics',
        '--json',
        '--out',
        tempDir('lenslab-trained-'),
      ]);
      const version = basename((JSON.parse(stdout) as { path: string }).path, '.lensmodel');
      for (const node of [a, b])
        await within(
          () => health(node),
          (served) => served === version,
          'the published model',
        );
    });

    test('a recommender switch through A reaches B’s cached lists', async () => {
      const browser = new Browser();
      await browser.register(a, outbox);
      const choiceOn = async (node: Node) =>
        (
          (await browser.request(node, 'GET', '/api/recommendations?n=5')).json as {
            choice: string;
          }
        ).choice;
      assert.equal(await choiceOn(b), 'for-you');
      const chosen = await browser.request(a, 'PUT', '/api/recommendations/choice', {
        choice: 'hidden-gems',
      });
      assert.equal(chosen.status, 200, JSON.stringify(chosen.json));
      await within(
        () => choiceOn(b),
        (choice) => choice === 'hidden-gems',
        'the switch',
      );
    });

    test('hiding a movie through A takes it off B’s cached lists', async () => {
      const browser = new Browser();
      await browser.register(a, outbox);
      const listed = async (node: Node) =>
        (
          (await browser.request(node, 'GET', '/api/recommendations?n=5')).json as {
            items: Array<{ id: number }>;
          }
        ).items.map((item) => item.id);
      const [first] = await listed(b);
      assert.ok(first !== undefined, 'B recommends something');
      const hidden = await browser.request(a, 'PUT', `/api/lists/hidden/${first}`);
      assert.equal(hidden.status, 204, JSON.stringify(hidden.json));
      await within(
        () => listed(b),
        (ids) => !ids.includes(first),
        'the hidden movie',
      );
    });

    test('a privacy setting through A shows on B', async () => {
      const browser = new Browser();
      await browser.register(a, outbox);
      await browser.request(a, 'PUT', '/api/ratings/2', { rating: 3 });
      const username = `node_${process.pid}_${database.name}`;
      const visitor = new Browser();
      const profile = () => visitor.request(b, 'GET', `/api/users/${username}`);
      assert.equal((await profile()).status, 404);
      const set = await browser.request(a, 'PATCH', '/api/me/privacy', {
        username,
        ratingsVisibility: 'public',
      });
      assert.equal(set.status, 200, JSON.stringify(set.json));
      await within(
        profile,
        (r) => r.status === 200 && (r.json as { ratings: unknown[] | null }).ratings?.length === 1,
        'the public profile',
      );
    });

    test('a logout through A ends the session on B at once (B caches sessions)', async () => {
      const browser = new Browser();
      await browser.register(a, outbox);
      const whoOnB = async () => (await browser.request(b, 'GET', '/api/me/account')).status;
      assert.equal(await whoOnB(), 200);
      const kept = browser.cookie;
      assert.equal((await browser.request(a, 'POST', '/api/auth/logout')).status, 204);
      browser.cookie = kept; // a stolen copy of the cookie
      await within(whoOnB, (status) => status === 401, 'the logout');
    });

    test('the login limit per address holds across nodes, not per node', async () => {
      // The server's default: 10 logins per address and minute, counted in the database.
      const attempt = (node: Node) =>
        new Browser().request(node, 'POST', '/api/auth/login', {
          email: newEmail('nobody'),
          password: PASSWORD,
        });
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) statuses.push((await attempt(i % 2 === 0 ? a : b)).status);
      assert.ok(!statuses.includes(429), `statuses: ${statuses.join(', ')}`);
      assert.equal((await attempt(a)).status, 429);
      assert.equal((await attempt(b)).status, 429);
    });

    test('an account deletion through A leaves B’s statistics and sessions', async () => {
      const browser = new Browser();
      await browser.register(a, outbox);
      const id = 3;
      const start = await movie(b, browser, id);
      await browser.request(a, 'PUT', `/api/ratings/${id}`, { rating: 5 });
      await within(
        () => movie(b, browser, id),
        (m) => m.ratingsCount === start.ratingsCount + 1,
        'the rating',
      );
      assert.equal((await browser.request(b, 'GET', '/api/me/account')).status, 200);
      const kept = browser.cookie;
      const deleted = await browser.request(a, 'DELETE', '/api/me', { password: PASSWORD });
      assert.equal(deleted.status, 204, JSON.stringify(deleted.json));
      browser.cookie = kept;
      await within(
        async () => ({
          count: (await movie(b, new Browser(), id)).ratingsCount,
          session: (await browser.request(b, 'GET', '/api/me/account')).status,
        }),
        (seen) => seen.count === start.ratingsCount && seen.session === 401,
        'the deletion',
      );
    });
  });
}

describe('lenslab serve --workers 2', () => {
  const [sqlite] = testDatabases;
  let db: Db;
  let node: Node;
  const outbox = tempDir('lenslab-outbox-');

  before(async () => {
    db = await sqlite.open();
    await importDataset(db, generateSynthetic(CATALOG), 'empty');
    node = await startNode(db, outbox, tempDir('lenslab-models-'), ['--workers', '2']);
  });
  after(async () => {
    if (node) await stopNode(node);
    await sqlite.cleanup(db);
  });

  test('two worker processes answer on one port and keep each other current', async () => {
    const browser = new Browser();
    await browser.register(node, outbox);
    const count = async () =>
      ((await browser.request(node, 'GET', '/api/movies/5')).json as { ratingsCount: number })
        .ratingsCount;
    const start = await count();
    assert.equal((await browser.request(node, 'PUT', '/api/ratings/5', { rating: 4 })).status, 200);
    // Requests go round-robin to the workers: within 2 s, ten reads in a row all see the rating.
    await within(
      async () => Promise.all(Array.from({ length: 10 }, count)),
      (counts) => counts.every((c) => c === start + 1),
      'the rating on every worker',
    );
    const workers = execFileSync('pgrep', ['-P', String(node.process.pid)], { encoding: 'utf8' })
      .trim()
      .split('\n');
    assert.ok(workers.length >= 2, `worker processes: ${workers.join(', ')}`);
    // bin/lenslab gives the server its V8 heap sizing; the workers inherit it.
    const flags = serveNodeFlags();
    assert.ok(flags.length >= 1);
    for (const pid of [String(node.process.pid), ...workers]) {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      for (const flag of flags) assert.ok(argv.includes(flag), `process ${pid} runs with ${flag}`);
    }
  });
});
