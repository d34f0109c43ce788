/**
 * Attacks found by probing a server as an attacker would (hardening issue): each test sends the
 * attack and checks that it fails, on SQLite and on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONTENT_SECURITY_POLICY, securityHeaders } from '../../src/http/server.ts';
import { MAILS_PER_ADDRESS_PER_HOUR } from '../../src/services/accountMail.ts';
import { readEvents, scrubText } from '../../src/services/events.ts';
import { grantRole } from '../../src/services/roles.ts';
import {
  Client,
  decodeMail,
  member,
  newEmail,
  outboxMessages,
  popularMovieIds,
  startApi,
  describeApi,
  startLoggedApi,
  type Api,
} from './harness.ts';

/** Links (scheme://host/path) in the decoded outbox mails to `email` written after `skip`. */
function linksTo(api: Api, email: string, skip: number): string[] {
  return outboxMessages(api)
    .slice(skip)
    .map(decodeMail)
    .filter((mail) => mail.includes(`To: ${email}`))
    .flatMap((mail) => mail.match(/https?:\/\/[^\s>]+/g) ?? []);
}

describeApi('hardening', (api, database) => {
  test('links in e-mails never come from the Host or X-Forwarded-Host header', async () => {
    const { email } = await member(api);
    const newcomer = newEmail('newcomer');
    const skip = outboxMessages(api).length;
    const evil = { host: 'attacker.example', 'x-forwarded-host': 'attacker.example' };
    const visitor = new Client(api.app);
    for (const [url, body] of [
      ['/api/auth/password-reset', { email }],
      ['/api/auth/register', { email: newcomer, password: 'a long password 1' }],
      ['/api/auth/register', { email, password: 'a long password 1' }],
    ] as const) {
      assert.equal((await visitor.request('POST', url, body, evil)).status, 202);
    }
    await api.app.services.accountMail.settled();
    const links = [...linksTo(api, email, skip), ...linksTo(api, newcomer, skip)];
    // A reset link and its unsubscribe link, a sign-up link, a notice with its links.
    assert.ok(links.length >= 4, `links: ${links.join(' ')}`);
    for (const link of links) assert.match(link, /^http:\/\/localhost\//);
    assert.ok(!outboxMessages(api).slice(skip).join('\n').includes('attacker.example'));
  });

  test('once listening without PUBLIC_URL, links point at the address the server listens on', async () => {
    const own = await startApi(database);
    try {
      await own.app.listen({ port: 0, host: '127.0.0.1' });
      const port = (own.app.server.address() as { port: number }).port;
      const { email } = await member(own);
      const skip = outboxMessages(own).length;
      await new Client(own.app).request(
        'POST',
        '/api/auth/password-reset',
        { email },
        { host: 'attacker.example' },
      );
      await own.app.services.accountMail.settled();
      const links = linksTo(own, email, skip);
      assert.ok(links.length >= 2);
      for (const link of links) assert.ok(link.startsWith(`http://127.0.0.1:${port}/`), link);
    } finally {
      await own.close();
    }
  });

  test('PUBLIC_URL decides every link; a malformed one stops the start, naming it', async () => {
    const own = await startApi(database, { publicUrl: 'https://lenslab.example.org/' });
    try {
      const { email } = await member(own);
      const skip = outboxMessages(own).length;
      await new Client(own.app).request('POST', '/api/auth/password-reset', { email });
      await own.app.services.accountMail.settled();
      const links = linksTo(own, email, skip);
      assert.ok(
        links.some((link) => link.startsWith('https://lenslab.example.org/reset-password?token=')),
      );
      for (const link of links) assert.ok(link.startsWith('https://lenslab.example.org/'), link);
    } finally {
      await own.close();
    }
    await assert.rejects(startApi(database, { publicUrl: 'javascript:alert(1)' }), /PUBLIC_URL/);
  });

  test('a researcher cannot reach the admin area by percent-encoding its path', async () => {
    const researcher = await member(api);
    await grantRole(api.db, researcher.id, 'researcher');
    for (const path of [
      '/api/console/admin/roles',
      '/api/console/%61dmin/roles',
      '/api/console/%61%64%6d%69%6e/roles',
      '/api/console/admin/%72oles',
      '/api/console/admin/audit',
      '/api/console/%61dmin/audit',
    ]) {
      const response = await researcher.client.get(path);
      assert.equal(response.status, 403, path);
      assert.doesNotMatch(response.body, /grantedAt/);
    }
    // The researcher area itself still answers.
    assert.equal((await researcher.client.get('/api/console/metrics')).status, 200);
  });

  test('errors the router raises itself are problem+json with the security headers', async () => {
    const response = await new Client(api.app).get('/api/movies/%C0');
    assert.equal(response.status, 400);
    assert.match(String(response.headers['content-type']), /application\/problem\+json/);
    assert.equal((response.json as { status: number }).status, 400);
    for (const [name, value] of securityHeaders())
      assert.equal(response.headers[name], value, name);
  });

  test('the API docs page is sent with the site policy, not a looser one', async () => {
    const page = await new Client(api.app).get('/api/docs/');
    assert.equal(page.status, 200);
    const csp = String(page.headers['content-security-policy']);
    const site = new Map(securityHeaders()).get('content-security-policy');
    assert.equal(csp, site);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /https:|validator\.swagger\.io/);
    assert.deepEqual(CONTENT_SECURITY_POLICY.scriptSrc, ["'self'"]);
  });

  test('clicks are a member’s, for movies that exist, and rate-limited', async () => {
    const visitor = new Client(api.app);
    const anonymous = await visitor.request('POST', '/api/events/click', { movieId: 1 });
    assert.equal(anonymous.status, 401);
    const { client, id } = await member(api);
    // A member's click without the CSRF token, or with hostile ids, changes nothing.
    const forged = await client.request(
      'POST',
      '/api/events/click',
      { movieId: 1 },
      {
        'x-csrf-token': '',
      },
    );
    assert.equal(forged.status, 403);
    for (const movieId of [-1, 0, 1.5, '1 OR 1=1', 2 ** 53])
      assert.equal(
        (await client.request('POST', '/api/events/click', { movieId })).status,
        400,
        String(movieId),
      );
    const missing = await client.request('POST', '/api/events/click', { movieId: 999_999_999 });
    assert.equal(missing.status, 400);
    assert.match(String((missing.json as { detail: string }).detail), /movieId/);
    const [movieId] = await popularMovieIds(client, 1);
    assert.equal(
      (await client.request('POST', '/api/events/click', { movieId, position: 1 })).status,
      204,
    );
    await api.app.services.research.events.flush();
    const clicks = [];
    for await (const event of readEvents(api.db, { kinds: ['recommendation_click'] }))
      clicks.push(event);
    assert.ok(
      clicks.every((event) => event.memberId !== null),
      'no click without a member',
    );
    assert.ok(clicks.some((event) => event.memberId === id && event.data.movieId === movieId));
    // A script from one address meets the cap.
    const flood = new Client(api.app, '192.0.2.99');
    Object.assign(flood, { cookie: client.cookie, csrfToken: client.csrfToken });
    const statuses = new Set<number>();
    for (let k = 0; k < 125; k++)
      statuses.add((await flood.request('POST', '/api/events/click', { movieId })).status);
    assert.ok(statuses.has(429), `statuses: ${[...statuses].join(', ')}`);
  });

  test('one address gets at most 3 mails of a kind an hour, from any number of sources', async () => {
    const { email } = await member(api);
    const skip = outboxMessages(api).length;
    for (let k = 0; k < 20; k++) {
      const source = new Client(api.app, `198.51.100.${k + 1}`);
      assert.equal(
        (await source.request('POST', '/api/auth/password-reset', { email })).status,
        202,
      );
      assert.equal(
        (
          await source.request('POST', '/api/auth/register', {
            email,
            password: 'another long password',
          })
        ).status,
        202,
      );
    }
    await api.app.services.accountMail.settled();
    const mails = outboxMessages(api).slice(skip).map(decodeMail);
    const resets = mails.filter((mail) => /Subject: Reset your lenslab password/.test(mail));
    const notices = mails.filter((mail) => /Subject: Someone tried to sign up/.test(mail));
    assert.equal(resets.length, MAILS_PER_ADDRESS_PER_HOUR);
    assert.equal(notices.length, MAILS_PER_ADDRESS_PER_HOUR);
    // Another address is not held back by this one's cap.
    const other = await member(api);
    const before = outboxMessages(api).length;
    await new Client(api.app).request('POST', '/api/auth/password-reset', {
      email: other.email,
    });
    await api.app.services.accountMail.settled();
    const reset = linksTo(api, other.email, before).filter((link) => /reset-password/.test(link));
    assert.equal(reset.length, 1);
  });

  test('behind a trusted proxy: the Secure __Host- cookie, and a rate-limit bucket per client', async () => {
    const proxied = await startApi(database, {
      trustProxy: true,
      rateLimits: { loginPerMinute: 3 },
    });
    const direct = await startApi(database, { rateLimits: { loginPerMinute: 3 } });
    try {
      const https = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.10' };
      const owner = new Client(proxied.app);
      const { email, password } = await member(proxied);
      const login = await owner.request('POST', '/api/auth/login', { email, password }, https);
      assert.equal(login.status, 200);
      const cookie = String(login.headers['set-cookie']);
      assert.match(cookie, /^__Host-lenslab_session=/);
      assert.match(cookie, /; Secure/);
      assert.match(cookie, /; Path=\//);
      assert.doesNotMatch(cookie, /Domain=/i);
      // The __Host- cookie is the session over HTTPS.
      const session = await owner.request('GET', '/api/session', undefined, https);
      assert.notEqual((session.json as { member: unknown }).member, null);

      // Each forwarded client has its own bucket; a direct server ignores the header.
      const attempt = (app: Api, forwardedFor: string) =>
        new Client(app.app).request(
          'POST',
          '/api/auth/login',
          { email: newEmail(), password: 'wrong password 123' },
          { 'x-forwarded-for': forwardedFor },
        );
      const statuses = async (app: Api) => {
        const result = [];
        for (let k = 0; k < 4; k++) result.push((await attempt(app, `203.0.113.${k + 20}`)).status);
        return result;
      };
      assert.deepEqual(await statuses(proxied), [401, 401, 401, 401]);
      assert.deepEqual(await statuses(direct), [401, 401, 401, 429]);
      const plain = await new Client(direct.app).request(
        'POST',
        '/api/auth/login',
        { email, password },
        { 'x-forwarded-proto': 'https' },
      );
      assert.doesNotMatch(String(plain.headers['set-cookie']), /__Host-|Secure/);
    } finally {
      await proxied.close();
      await direct.close();
    }
  });

  test('the request log names route patterns, never a URL with what a member typed', async () => {
    const logged = await startLoggedApi(database);
    const { lines } = logged;
    try {
      const client = new Client(logged.app);
      await client.get('/api/movies?q=victim%40example.org');
      await client.get('/api/users/victim@example.org');
      await client.get('/api/no-such-route/victim@example.org');
      await client.get('/api/unsubscribe?token=secret-token-value');
      const log = lines.join('');
      assert.match(log, /"route":"\/api\/movies"/);
      assert.match(log, /"route":"\/api\/users\/:username"/);
      assert.match(log, /"route":"\(no route\)"/);
      assert.doesNotMatch(log, /victim|%40|secret-token-value/);
    } finally {
      await logged.close();
    }
  });
});

test('the event log redacts addresses written with spaces or a lookalike at-sign', () => {
  for (const text of [
    'bob @ example.org',
    'bob＠example.org',
    'bob﹫example.org',
    'bob@example.org',
  ])
    assert.doesNotMatch(scrubText(`movies ${text} likes`), /bob|example/, text);
  assert.equal(scrubText('Amélie (2001)'), 'Amélie (2001)');
});

/** Every route of the server with its methods, read from Fastify's route tree. */
function routesOf(api: Api): Array<{ path: string; methods: string[] }> {
  const routes: Array<{ path: string; methods: string[] }> = [];
  const stack: string[] = [];
  for (const line of api.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^(.*?)── (\S+) \(([A-Z, ]+)\)$/.exec(line);
    if (!match) continue;
    const depth = Math.floor(match[1].length / 4);
    stack.length = depth;
    stack.push(match[2]);
    routes.push({ path: stack.join('').replace(/\/+/g, '/'), methods: match[3].split(', ') });
  }
  return routes;
}

const CHANGING = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;
type Changing = (typeof CHANGING)[number];

describeApi('hardening: every state-changing route', (api) => {
  test('refuses a visitor and a session without the CSRF token, with hostile input, and changes nothing', async () => {
    // Each route with hostile ids and a hostile body: whatever it checks, it must refuse.
    const hostile = { rating: 4, tag: '<script>x</script>', choice: '../admin', groups: [1, 2, 3] };
    const changing = routesOf(api).flatMap(({ path, methods }) =>
      methods
        .filter((method): method is Changing => (CHANGING as readonly string[]).includes(method))
        .map((method) => ({ method, url: path.replace(/:[A-Za-z]+/g, '1%2F..%2Fadmin') })),
    );
    // This round's routes are among them (the tree is read correctly).
    for (const url of [
      '/api/lists/:list/:movieId',
      '/api/me/groups',
      '/api/recommendations/choice',
    ])
      assert.ok(
        routesOf(api).some((route) => route.path === url),
        `${url} in ${JSON.stringify(routesOf(api).map((r) => r.path))}`,
      );
    assert.ok(changing.length >= 40, `${changing.length} state-changing routes`);

    const admin = await member(api);
    await grantRole(api.db, admin.id, 'admin');
    const counts = async () => {
      const rows: Record<string, number> = {};
      for (const table of [
        'ratings',
        'member_lists',
        'tags',
        'recommender_choices',
        'member_group_picks',
        'posts',
        'surveys',
        'announcements',
        'experiments',
        'user_roles',
      ] as const) {
        const row = await api.db.kysely
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        rows[table] = Number(row.n);
      }
      return rows;
    };
    const before = await counts();
    const visitor = new Client(api.app);
    for (const { method, url } of changing) {
      const anonymous = await visitor.request(method, url, hostile);
      // (A visitor's logout has nothing to end: 204, and nothing changes.)
      if (url !== '/api/auth/logout')
        assert.ok(anonymous.status >= 400, `visitor ${method} ${url}: ${anonymous.status}`);
      if (url === '/api/unsubscribe') continue; // reached from an e-mail: no session, no token
      const forged = await admin.client.request(method, url, hostile, { 'x-csrf-token': '' });
      assert.equal(forged.status, 403, `no CSRF token: ${method} ${url}`);
    }
    assert.deepEqual(await counts(), before);
  });
});
