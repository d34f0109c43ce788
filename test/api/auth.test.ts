import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { registerMember } from '../../src/services/accounts.ts';
import { SIGNUP_PASSWORD_TRIES } from '../../src/services/vaultLinks.ts';
import { ownTables, testDatabases } from '../helpers/databases.ts';
import {
  Client,
  PASSWORD,
  decodeMail,
  newEmail,
  outboxFiles,
  outboxMessages,
  signupToken,
  startApi,
  describeApi,
  startLoggedApi,
  waitForMail,
} from './harness.ts';

describeApi('auth API', (api, database) => {
  /** Rows of `users`, or of `pending_registrations` (those of `email` only, when given). */
  async function countRows(table: 'users' | 'pending_registrations', email?: string) {
    const query =
      email === undefined
        ? api.db.kysely.selectFrom(table)
        : api.db.kysely
            .selectFrom('pending_registrations')
            .where('email_blind_index', '=', api.app.services.vault.blindIndex(email));
    const row = await query
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  test('sign-up answers 202 and creates nothing; the mailed link creates a signup member and logs in with an HttpOnly SameSite=Lax cookie; the e-mail is never shown', async () => {
    const client = new Client(api.app);
    const email = newEmail();
    const users = await countRows('users');
    const mails = outboxMessages(api).length;
    const response = await client.request('POST', '/api/auth/register', {
      email,
      password: PASSWORD,
      researchConsent: true,
    });
    assert.equal(response.status, 202);
    assert.deepEqual(response.json, { status: 'check-your-email' });
    assert.equal(response.headers['set-cookie'], undefined);
    assert.equal(await countRows('users'), users, 'no member before the link is followed');
    const mail = decodeMail((await waitForMail(api, mails + 1)).at(-1)!);
    assert.match(mail, new RegExp(`^To: ${email.replace(/\./g, '\\.')}$`, 'm'));
    assert.doesNotMatch(mail, /List-Unsubscribe/i, 'no account yet, so no unsubscribe link');
    const token = /\/verify-email\?token=([A-Za-z0-9_-]+)/.exec(mail)?.[1];
    assert.ok(token, 'the mail holds a sign-up link');
    assert.match(mail, /If you did not sign up to lenslab, ignore this message/);
    assert.match(mail, /password you chose when signing up/);
    assert.equal((await client.get('/api/session')).json?.member, null);

    const verified = await client.request('POST', '/api/auth/register/verify', {
      token,
      password: PASSWORD,
    });
    assert.equal(verified.status, 200);
    const member = (
      verified.json as {
        member: { id: number; username: null; onboarded: boolean; ratingsCount: number };
      }
    ).member;
    assert.ok(Number.isInteger(member.id) && member.id > 0 && member.id < 2 ** 31);
    assert.equal(member.onboarded, false);
    assert.equal(member.ratingsCount, 0);
    assert.ok(!verified.body.includes(email));
    const cookie = String(verified.headers['set-cookie']);
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
    assert.equal(await countRows('pending_registrations', email), 0, 'the sign-up is used up');

    const reused = await new Client(api.app).request('POST', '/api/auth/register/verify', {
      token,
      password: PASSWORD,
    });
    assert.equal(reused.status, 400);
    assert.match((reused.json as { detail: string }).detail, /^token:/);
    assert.equal(await countRows('users'), users + 1);
    assert.equal((await new Client(api.app).login(email)).status, 200);
  });

  test('sign-up answers the same for a new and a registered address; the owner is told and nothing is created', async () => {
    const email = newEmail('taken');
    await new Client(api.app).register(email);
    const users = await countRows('users');
    const mails = outboxMessages(api).length;
    const taken = await new Client(api.app).request('POST', '/api/auth/register', {
      email: email.toUpperCase(),
      password: 'another password 1',
    });
    const fresh = await new Client(api.app).request('POST', '/api/auth/register', {
      email: newEmail('fresh'),
      password: 'another password 1',
    });
    for (const answer of [taken, fresh]) {
      assert.equal(answer.status, 202);
      assert.equal(answer.headers['set-cookie'], undefined);
    }
    assert.equal(taken.body, fresh.body);
    assert.equal(await countRows('users'), users);
    const messages = (await waitForMail(api, mails + 2)).slice(mails).map(decodeMail);
    const notice = messages.find((m) => m.includes(`To: ${email}`));
    assert.ok(notice, 'the owner got a mail');
    assert.match(notice, /already has an account/);
    assert.doesNotMatch(notice, /verify-email/, 'the notice carries no sign-up link');
    // The registered address keeps its password.
    assert.equal((await new Client(api.app).login(email)).status, 200);
  });

  test('logging in before the link is followed: a wrong password gets the usual 401, the sign-up password 403 — for a new and a registered address alike', async () => {
    const member = await new Client(api.app).register(newEmail('member'));
    const newcomer = newEmail('newcomer');
    const typed = 'the password typed at sign-up';
    for (const email of [member.email, newcomer]) {
      const answer = await new Client(api.app).request('POST', '/api/auth/register', {
        email,
        password: typed,
      });
      assert.equal(answer.status, 202);
    }
    const answers = [];
    for (const email of [member.email, newcomer]) {
      const wrong = await new Client(api.app).login(email, 'wrong password 123');
      assert.equal(wrong.status, 401);
      assert.equal((wrong.json as { detail: string }).detail, 'e-mail or password is wrong');
      const pending = await new Client(api.app).login(email, typed);
      assert.equal(pending.status, 403);
      assert.equal(pending.headers['set-cookie'], undefined);
      answers.push(pending.json as { detail: string });
    }
    assert.equal(
      answers[0].detail,
      answers[1].detail,
      'the answer does not tell which is a member',
    );
    assert.match(answers[0].detail, /not confirmed yet/);
    assert.equal((await new Client(api.app).login(member.email)).status, 200);
  });

  test('resending the link always answers 202; only a pending sign-up gets a mail, whose new link replaces the old one', async () => {
    const member = await new Client(api.app).register(newEmail('member'));
    const pending = newEmail('pending');
    const before = outboxMessages(api).length;
    await new Client(api.app).request('POST', '/api/auth/register', {
      email: pending,
      password: PASSWORD,
    });
    const first = decodeMail((await waitForMail(api, before + 1)).at(-1)!);
    const oldToken = /\/verify-email\?token=([A-Za-z0-9_-]+)/.exec(first)![1];
    const answers = [];
    for (const email of [newEmail('nobody'), member.email, pending]) {
      answers.push(
        await new Client(api.app).request('POST', '/api/auth/register/resend', { email }),
      );
    }
    for (const answer of answers) {
      assert.equal(answer.status, 202);
      assert.equal(answer.body, answers[0].body);
    }
    const messages = await waitForMail(api, before + 2);
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(outboxMessages(api).length, before + 2, 'one mail: to the pending address');
    const second = decodeMail(messages.at(-1)!);
    assert.match(second, new RegExp(`^To: ${pending.replace(/\./g, '\\.')}$`, 'm'));
    const newToken = /\/verify-email\?token=([A-Za-z0-9_-]+)/.exec(second)![1];
    assert.notEqual(newToken, oldToken);
    const stale = await new Client(api.app).request('POST', '/api/auth/register/verify', {
      token: oldToken,
      password: PASSWORD,
    });
    assert.equal(stale.status, 400);
    const client = new Client(api.app);
    const fresh = await client.request('POST', '/api/auth/register/verify', {
      token: newToken,
      password: PASSWORD,
    });
    assert.equal(fresh.status, 200);
    assert.equal((await new Client(api.app).login(pending)).status, 200);
  });

  test('a stranger signing up with your address cannot hand you an account whose password they know: the link needs the sign-up password, and a wrong one keeps it working', async () => {
    const email = newEmail('victim');
    const outbox = api.outbox;
    const before = new Set(outboxFiles(api));
    await new Client(api.app).request('POST', '/api/auth/register', {
      email,
      password: 'the stranger password',
    });
    const strangerToken = await signupToken(outbox, email, before);
    const users = await countRows('users');
    // The victim follows the stranger's link, typing their own password: refused, nothing made.
    const followed = new Client(api.app);
    const refused = await followed.request('POST', '/api/auth/register/verify', {
      token: strangerToken,
      password: PASSWORD,
    });
    assert.equal(refused.status, 400);
    assert.match((refused.json as { detail: string }).detail, /^password: .*4 tries left/);
    assert.deepEqual(
      (refused.json as { errors: Array<{ path: string }> }).errors.map((e) => e.path),
      ['password'],
    );
    assert.equal(refused.headers['set-cookie'], undefined);
    assert.equal(await countRows('users'), users, 'no account from a wrong password');
    assert.equal(await countRows('pending_registrations', email), 1, 'the link still works');
    // Signing up themselves instead gives the victim their own account.
    const victim = new Client(api.app);
    const { id } = await victim.register(email, PASSWORD);
    assert.equal((await new Client(api.app).login(email, 'the stranger password')).status, 401);
    const late = await new Client(api.app).request('POST', '/api/auth/register/verify', {
      token: strangerToken,
      password: 'the stranger password',
    });
    assert.equal(late.status, 400, "the stranger's link died when the address was confirmed");
    const again = await new Client(api.app).login(email);
    assert.equal((again.json as { member: { id: number } }).member.id, id);
  });

  test(`a sign-up link dies after ${SIGNUP_PASSWORD_TRIES} wrong passwords; until then the right one works`, async () => {
    const email = newEmail('guessed');
    const before = new Set(outboxFiles(api));
    await new Client(api.app).request('POST', '/api/auth/register', {
      email,
      password: PASSWORD,
    });
    const token = await signupToken(api.outbox, email, before);
    const verify = (password: string) =>
      new Client(api.app).request('POST', '/api/auth/register/verify', { token, password });
    const details: string[] = [];
    for (let k = 0; k < SIGNUP_PASSWORD_TRIES; k++) {
      const wrong = await verify(`wrong password ${k}`);
      assert.equal(wrong.status, 400);
      details.push((wrong.json as { detail: string }).detail);
    }
    assert.match(details[0], new RegExp(`${SIGNUP_PASSWORD_TRIES - 1} tries left`));
    assert.match(details.at(-1)!, /last try: the link no longer works/);
    const late = await verify(PASSWORD);
    assert.equal(late.status, 400);
    assert.match((late.json as { detail: string }).detail, /^token:/);
    assert.equal(await countRows('pending_registrations', email), 0);
    assert.equal((await new Client(api.app).login(email)).status, 401);

    // A few wrong passwords, then the right one: the account is made.
    const again = new Set(outboxFiles(api));
    await new Client(api.app).request('POST', '/api/auth/register', {
      email,
      password: PASSWORD,
    });
    const second = await signupToken(api.outbox, email, again);
    for (const password of ['wrong password a', 'wrong password b']) {
      const wrong = await new Client(api.app).request('POST', '/api/auth/register/verify', {
        token: second,
        password,
      });
      assert.equal(wrong.status, 400);
    }
    const right = await new Client(api.app).request('POST', '/api/auth/register/verify', {
      token: second,
      password: PASSWORD,
    });
    assert.equal(right.status, 200);
    assert.equal((await new Client(api.app).login(email)).status, 200);
  });

  test('an expired sign-up link is refused, its sign-up forgotten, and the address can sign up again', async () => {
    const email = newEmail('late');
    const before = new Set(outboxFiles(api));
    await new Client(api.app).request('POST', '/api/auth/register', {
      email,
      password: PASSWORD,
    });
    const token = await signupToken(api.outbox, email, before);
    await api.db.kysely.updateTable('pending_registrations').set({ expires_at: 1 }).execute();
    const users = await countRows('users');
    const expired = await new Client(api.app).request('POST', '/api/auth/register/verify', {
      token,
      password: PASSWORD,
    });
    assert.equal(expired.status, 400);
    assert.equal(await countRows('users'), users);
    const login = await new Client(api.app).login(email);
    assert.equal(login.status, 401, 'an expired sign-up is not told to check the e-mail');
    const { id } = await new Client(api.app).register(email);
    assert.ok(id > 0);
    assert.equal(
      Number(
        (
          await api.db.kysely
            .selectFrom('pending_registrations')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('expires_at', '<=', 1)
            .executeTakeFirstOrThrow()
        ).n,
      ),
      0,
      'expired sign-ups are deleted',
    );
  });

  test('members created directly (command line, demo, benchmarks) log in at once', async () => {
    const email = newEmail('direct');
    const id = await registerMember(api.db, api.app.services.vault, {
      email,
      password: PASSWORD,
    });
    assert.ok(id !== null);
    const login = await new Client(api.app).login(email);
    assert.equal(login.status, 200);
    assert.equal((login.json as { member: { id: number } }).member.id, id);
  });

  test('the sign-up routes refuse bad input with a 400 naming the field', async () => {
    const client = new Client(api.app);
    const noToken = await client.request('POST', '/api/auth/register/verify', {
      password: PASSWORD,
    });
    assert.equal(noToken.status, 400);
    assert.deepEqual(
      (noToken.json as { errors: Array<{ path: string }> }).errors.map((e) => e.path),
      ['token'],
    );
    const noPassword = await client.request('POST', '/api/auth/register/verify', {
      token: 'bogus',
    });
    assert.equal(noPassword.status, 400);
    assert.deepEqual(
      (noPassword.json as { errors: Array<{ path: string }> }).errors.map((e) => e.path),
      ['password'],
    );
    const bogus = await client.request('POST', '/api/auth/register/verify', {
      token: 'bogus',
      password: PASSWORD,
    });
    assert.equal(bogus.status, 400);
    assert.match((bogus.json as { detail: string }).detail, /^token:/);
    const noEmail = await client.request('POST', '/api/auth/register/resend', {});
    assert.equal(noEmail.status, 400);
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
      (await client.request('POST', '/api/auth/logout', undefined, { 'x-csrf-token': '' })).status,
      403,
    );
    assert.equal(((await client.get('/api/ratings')).json as { total: number }).total, 0);
    assert.equal(
      (await client.request('PUT', `/api/ratings/${movieId}`, { rating: 4 })).status,
      200,
    );
  });

  test('wrong passwords slow down only the source that sent them: nobody can lock the owner out', async () => {
    const email = newEmail('locked');
    await new Client(api.app).register(email);
    // Ten wrong passwords from ten addresses, then the owner from an address of their own.
    for (let k = 0; k < 10; k++) {
      const attacker = new Client(api.app, `198.51.100.${k + 1}`);
      assert.equal((await attacker.login(email, 'wrong password 123')).status, 401);
    }
    assert.equal((await new Client(api.app, '203.0.113.7').login(email)).status, 200);
    // One source that keeps guessing waits, and is not even asked for the password meanwhile.
    const guesser = new Client(api.app, '198.51.100.200');
    for (let k = 0; k < 3; k++)
      assert.equal((await guesser.login(email, 'wrong password 123')).status, 401);
    const slowed = await guesser.login(email);
    assert.equal(slowed.status, 429);
    assert.equal(slowed.headers['retry-after'], '1');
    assert.match(String((slowed.json as { detail: string }).detail), /from your address/);
    // The owner, elsewhere, is not slowed.
    assert.equal((await new Client(api.app, '203.0.113.8').login(email)).status, 200);
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
    const response = await new Client(api.app).request('POST', '/api/auth/password-reset/confirm', {
      token,
      password: 'a brand new password',
    });
    assert.equal(response.status, 400);
    assert.equal((await new Client(api.app).login(email)).status, 200);
  });

  test('no table and no line of the server log holds an e-mail address in the clear', async () => {
    const logged = await startLoggedApi(database);
    const { lines } = logged;
    try {
      const email = newEmail('leak');
      const client = new Client(logged.app);
      await client.register(email);
      await client.request('PATCH', '/api/me/privacy', {
        username: `leak_${process.pid % 1000}`,
      });
      await client.get(`/api/movies?q=${encodeURIComponent(email)}`);
      await client.request('PATCH', '/api/me/account', {
        currentPassword: PASSWORD,
        email: newEmail('leak-new'),
      });
      const visitor = new Client(logged.app);
      await visitor.request('POST', '/api/auth/register', {
        email: newEmail('leak'),
        password: PASSWORD,
      });
      await visitor.request('POST', '/api/auth/password-reset', { email });
      await visitor.login(email, 'wrong password 123');
      await logged.app.services.accountMail.settled();
      await logged.app.services.research.events.flush();
      const tables = (await ownTables(logged.db)).map((t) => t.name);
      assert.ok(tables.length >= 18, `tables: ${tables.join(', ')}`);
      for (const table of tables) {
        const rows = await logged.db.kysely
          .selectFrom(table as 'users')
          .selectAll()
          .execute();
        assert.ok(!/@example\.org|%40example/.test(JSON.stringify(rows)), table);
      }
      assert.ok(lines.length > 5, 'the server logged');
      assert.ok(!/example\.org/.test(lines.join('\n')), lines.join('\n'));
    } finally {
      await logged.close();
    }
  });
});

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
