import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testDatabases } from '../helpers/databases.ts';
import {
  Client,
  PASSWORD,
  decodeMail,
  newEmail,
  outboxMessages,
  startApi,
  waitForMail,
  type Api,
} from './harness.ts';

for (const database of testDatabases) {
  describe(`auth API (${database.name})`, { skip: database.skip }, () => {
    let api: Api;
    before(async () => {
      api = await startApi(database);
    });
    after(async () => api?.close());

    test('register creates a signup member, logs in with an HttpOnly SameSite=Lax cookie, and never shows the e-mail', async () => {
      const client = new Client(api.app);
      const email = newEmail();
      const response = await client.request('POST', '/api/auth/register', {
        email,
        password: PASSWORD,
        researchConsent: true,
      });
      assert.equal(response.status, 201);
      const member = (
        response.json as {
          member: { id: number; username: null; onboarded: boolean; ratingsCount: number };
        }
      ).member;
      assert.ok(Number.isInteger(member.id) && member.id > 0 && member.id < 2 ** 31);
      assert.equal(member.onboarded, false);
      assert.equal(member.ratingsCount, 0);
      assert.ok(!response.body.includes(email));
      const cookie = String(response.headers['set-cookie']);
      assert.match(cookie, /lenslab_session=/);
      assert.match(cookie, /HttpOnly/);
      assert.match(cookie, /SameSite=Lax/);
      assert.match(cookie, /Path=\//);
      const user = await api.db.kysely
        .selectFrom('users')
        .selectAll()
        .where('id', '=', member.id)
        .executeTakeFirstOrThrow();
      assert.equal(user.origin, 'signup');
      assert.equal(user.research_consent, 1);
      const session = await client.get('/api/session');
      assert.equal((session.json as { member: { id: number } }).member.id, member.id);
    });

    test('research consent defaults to no, and new member ids are not sequential', async () => {
      const ids: number[] = [];
      for (let k = 0; k < 3; k++) ids.push((await new Client(api.app).register()).id);
      const rows = await api.db.kysely
        .selectFrom('users')
        .select(['id', 'research_consent'])
        .where('id', 'in', ids)
        .execute();
      assert.ok(rows.every((r) => r.research_consent === 0));
      assert.ok(!(ids[1] === ids[0] + 1 && ids[2] === ids[1] + 1));
    });

    test('the vault stores the e-mail encrypted with a blind index, and the password as argon2id', async () => {
      const client = new Client(api.app);
      const email = newEmail('vault');
      const { id } = await client.register(email);
      const identity = await api.db.kysely
        .selectFrom('identities')
        .selectAll()
        .where('user_id', '=', id)
        .executeTakeFirstOrThrow();
      assert.ok(
        !identity.email_ciphertext.includes(email) && !identity.email_ciphertext.includes('vault'),
      );
      assert.match(identity.email_blind_index, /^[0-9a-f]{64}$/);
      assert.match(identity.password_hash, /^\$argon2id\$/);
      assert.equal(await api.app.services.vault.emailOf(api.db, id), email);
    });

    test('registering a taken e-mail creates nothing, answers 202 and tells the owner by e-mail', async () => {
      const email = newEmail('taken');
      await new Client(api.app).register(email);
      const users = await api.db.kysely
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      const mails = outboxMessages(api).length;
      const again = await new Client(api.app).request('POST', '/api/auth/register', {
        email: email.toUpperCase(),
        password: 'another password 1',
      });
      assert.equal(again.status, 202);
      assert.deepEqual(again.json, { status: 'check-your-email' });
      assert.equal(again.headers['set-cookie'], undefined);
      const after = await api.db.kysely
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      assert.equal(Number(after.n), Number(users.n));
      const messages = await waitForMail(api, mails + 1);
      assert.match(decodeMail(messages.at(-1)!), /already has an account/);
    });

    test('bad e-mails and short passwords are refused with a 400 naming the field', async () => {
      const client = new Client(api.app);
      const shortPassword = await client.request('POST', '/api/auth/register', {
        email: newEmail(),
        password: 'short',
      });
      assert.equal(shortPassword.status, 400);
      assert.match(String(shortPassword.headers['content-type']), /application\/problem\+json/);
      assert.match((shortPassword.json as { detail: string }).detail, /^password:/);
      const badEmail = await client.request('POST', '/api/auth/register', {
        email: 'not-an-address',
        password: PASSWORD,
      });
      assert.equal(badEmail.status, 400);
      assert.match((badEmail.json as { detail: string }).detail, /^email:/);
      const missing = await client.request('POST', '/api/auth/register', { password: PASSWORD });
      assert.equal(missing.status, 400);
      assert.deepEqual(
        (missing.json as { errors: Array<{ path: string }> }).errors.map((e) => e.path),
        ['email'],
      );
      const notJson = await client.request('POST', '/api/auth/register', '{"email": ', {
        'content-type': 'application/json',
      });
      assert.equal(notJson.status, 400);
    });

    test('login answers the same for an unknown e-mail and a wrong password, and rotates the session', async () => {
      const email = newEmail();
      const first = new Client(api.app);
      await first.register(email);
      const oldCookie = first.cookie;
      const unknown = await new Client(api.app).login(newEmail('nobody'));
      const wrong = await new Client(api.app).login(email, 'wrong password 123');
      assert.equal(unknown.status, 401);
      assert.equal(wrong.status, 401);
      assert.equal(
        (unknown.json as { detail: string }).detail,
        (wrong.json as { detail: string }).detail,
      );
      const again = await first.login(email.toUpperCase());
      assert.equal(again.status, 200);
      assert.notEqual(first.cookie, oldCookie);
      const stale = new Client(api.app);
      stale.cookie = oldCookie;
      assert.equal((await stale.get('/api/session')).json?.member, null);
    });

    test('logout destroys the session on the server', async () => {
      const client = new Client(api.app);
      await client.register();
      const cookie = client.cookie;
      assert.equal((await client.request('POST', '/api/auth/logout')).status, 204);
      const replay = new Client(api.app);
      replay.cookie = cookie;
      assert.equal((await replay.get('/api/session')).json?.member, null);
      assert.equal((await replay.get('/api/ratings')).status, 401);
    });

    test('state-changing requests without the CSRF token are refused and change nothing', async () => {
      const client = new Client(api.app);
      await client.register();
      const movies = await client.get('/api/movies?pageSize=1');
      const movieId = (movies.json as { items: Array<{ id: number }> }).items[0].id;
      const without = await client.request(
        'PUT',
        `/api/ratings/${movieId}`,
        { rating: 4 },
        { 'x-csrf-token': '' },
      );
      assert.equal(without.status, 403);
      const wrong = await client.request(
        'PUT',
        `/api/ratings/${movieId}`,
        { rating: 4 },
        { 'x-csrf-token': 'x'.repeat(32) },
      );
      assert.equal(wrong.status, 403);
      assert.equal(
        (await client.request('POST', '/api/auth/logout', undefined, { 'x-csrf-token': '' }))
          .status,
        403,
      );
      assert.equal(((await client.get('/api/ratings')).json as { total: number }).total, 0);
      assert.equal(
        (await client.request('PUT', `/api/ratings/${movieId}`, { rating: 4 })).status,
        200,
      );
    });

    test('login attempts are rate-limited per account', async () => {
      const email = newEmail('locked');
      await new Client(api.app).register(email);
      const statuses: number[] = [];
      for (let k = 0; k < 11; k++)
        statuses.push((await new Client(api.app).login(email, 'wrong password 123')).status);
      assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
      assert.equal(statuses[10], 429);
      // Even the right password waits now.
      assert.equal((await new Client(api.app).login(email)).status, 429);
    });

    test('password reset: always 202, a single-use link by e-mail, all sessions end', async () => {
      const email = newEmail('reset');
      const owner = new Client(api.app);
      await owner.register(email);
      const before = outboxMessages(api).length;
      const unknown = await new Client(api.app).request('POST', '/api/auth/password-reset', {
        email: newEmail('nobody'),
      });
      const known = await new Client(api.app).request('POST', '/api/auth/password-reset', {
        email,
      });
      assert.equal(unknown.status, 202);
      assert.equal(known.status, 202);
      assert.deepEqual(unknown.json, known.json);
      const messages = await waitForMail(api, before + 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(outboxMessages(api).length, before + 1, 'no mail for an unknown address');
      const mail = decodeMail(messages.at(-1)!);
      assert.match(mail, /^List-Unsubscribe:\s+<http[^>]+\/api\/unsubscribe\?token=/m);
      const token = /\/reset-password\?token=([A-Za-z0-9_-]+)/.exec(mail)?.[1];
      assert.ok(token, 'the mail holds a reset link');
      const client = new Client(api.app);
      const weak = await client.request('POST', '/api/auth/password-reset/confirm', {
        token,
        password: 'short',
      });
      assert.equal(weak.status, 400);
      const done = await client.request('POST', '/api/auth/password-reset/confirm', {
        token,
        password: 'a brand new password',
      });
      assert.equal(done.status, 204);
      const reused = await client.request('POST', '/api/auth/password-reset/confirm', {
        token,
        password: 'yet another password',
      });
      assert.equal(reused.status, 400);
      const bogus = await client.request('POST', '/api/auth/password-reset/confirm', {
        token: 'bogus',
        password: 'yet another password',
      });
      assert.equal(bogus.status, 400);
      assert.equal((await owner.get('/api/session')).json?.member, null, 'the old session ended');
      assert.equal((await new Client(api.app).login(email)).status, 401);
      assert.equal((await new Client(api.app).login(email, 'a brand new password')).status, 200);
    });

    test('an expired reset link is refused', async () => {
      const email = newEmail('expired');
      await new Client(api.app).register(email);
      const before = outboxMessages(api).length;
      await new Client(api.app).request('POST', '/api/auth/password-reset', { email });
      const mail = decodeMail((await waitForMail(api, before + 1)).at(-1)!);
      const token = /\/reset-password\?token=([A-Za-z0-9_-]+)/.exec(mail)![1];
      await api.db.kysely.updateTable('password_resets').set({ expires_at: 1 }).execute();
      const response = await new Client(api.app).request(
        'POST',
        '/api/auth/password-reset/confirm',
        { token, password: 'a brand new password' },
      );
      assert.equal(response.status, 400);
      assert.equal((await new Client(api.app).login(email)).status, 200);
    });

    test('nothing in the database outside the vault holds an e-mail address', async () => {
      const email = newEmail('leak');
      const client = new Client(api.app);
      await client.register(email);
      await client.request('PATCH', '/api/me/privacy', { username: `leak_${process.pid % 1000}` });
      for (const table of [
        'users',
        'sessions',
        'privacy_settings',
        'password_resets',
        'posts',
        'threads',
      ] as const) {
        const rows = await api.db.kysely.selectFrom(table).selectAll().execute();
        assert.ok(!JSON.stringify(rows).includes('@example.org'), table);
      }
    });
  });
}

describe('login rate limit per address', () => {
  const database = testDatabases[0];
  test('the 11th login a minute from one address gets 429', async () => {
    const api = await startApi(database, { rateLimits: { loginPerMinute: 10 } });
    try {
      const statuses: number[] = [];
      for (let k = 0; k < 11; k++)
        statuses.push(
          (await new Client(api.app).login(newEmail('any'), 'wrong password 123')).status,
        );
      assert.equal(statuses.filter((s) => s === 401).length, 10);
      assert.equal(statuses[10], 429);
    } finally {
      await api.close();
    }
  });
});
