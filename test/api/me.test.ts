import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Client,
  PASSWORD,
  decodeMail,
  member,
  newEmail,
  outboxFiles,
  outboxMessages,
  popularMovieIds,
  describeApi,
  waitForMail,
  waitForMailTo,
} from './harness.ts';
import { ownTables } from '../helpers/databases.ts';

let usernames = 0;
const username = (label = 'fan') => `${label}_${process.pid % 10000}_${++usernames}`;

describeApi('me, privacy and profiles API', (api) => {
  test('privacy starts private with no username, and PATCH changes any subset', async () => {
    const { client, id } = await member(api);
    assert.deepEqual((await client.get('/api/me/privacy')).json, {
      ratingsVisibility: 'private',
      researchConsent: false,
      emailUpdates: false,
      username: null,
    });
    const name = username();
    const changed = await client.request('PATCH', '/api/me/privacy', {
      username: name,
      ratingsVisibility: 'public',
      researchConsent: true,
    });
    assert.equal(changed.status, 200);
    assert.deepEqual(changed.json, {
      ratingsVisibility: 'public',
      researchConsent: true,
      emailUpdates: false,
      username: name,
    });
    const user = await api.db.kysely
      .selectFrom('users')
      .select('research_consent')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(user.research_consent, 1);
    assert.equal(
      (
        (await client.request('PATCH', '/api/me/privacy', { emailUpdates: true })).json as {
          emailUpdates: boolean;
        }
      ).emailUpdates,
      true,
    );
    assert.equal(
      ((await client.get('/api/session')).json as { member: { username: string } }).member.username,
      name,
    );
  });

  test('bad privacy values are refused with 400 and a taken username with 409, changing nothing', async () => {
    const first = await member(api);
    const second = await member(api);
    const name = username();
    await first.client.request('PATCH', '/api/me/privacy', { username: name });
    for (const body of [
      { username: 'AB' },
      { username: 'has space' },
      { username: 'x'.repeat(31) },
      { ratingsVisibility: 'friends' },
      { emailUpdates: 'yes' },
    ]) {
      const response = await second.client.request('PATCH', '/api/me/privacy', body);
      assert.equal(response.status, 400, JSON.stringify(body));
    }
    const taken = await second.client.request('PATCH', '/api/me/privacy', {
      username: name,
      ratingsVisibility: 'public',
    });
    assert.equal(taken.status, 409);
    assert.deepEqual((await second.client.get('/api/me/privacy')).json, {
      ratingsVisibility: 'private',
      researchConsent: false,
      emailUpdates: false,
      username: null,
    });
    assert.equal((await new Client(api.app).get('/api/me/privacy')).status, 401);
  });

  test('profiles show ratings only when shared publicly', async () => {
    const { client } = await member(api);
    const name = username('critic');
    await client.request('PATCH', '/api/me/privacy', { username: name });
    const movies = await popularMovieIds(client, 3);
    for (const movieId of movies)
      await client.request('PUT', `/api/ratings/${movieId}`, { rating: 4 });
    const visitor = new Client(api.app);
    assert.deepEqual((await visitor.get(`/api/users/${name}`)).json, {
      username: name,
      ratings: null,
    });
    await client.request('PATCH', '/api/me/privacy', { ratingsVisibility: 'anonymous' });
    assert.deepEqual((await visitor.get(`/api/users/${name}`)).json, {
      username: name,
      ratings: null,
    });
    await client.request('PATCH', '/api/me/privacy', { ratingsVisibility: 'public' });
    const profile = (await visitor.get(`/api/users/${name}`)).json as {
      ratings: Array<{ id: number; rating: number; yourRating: number | null }>;
    };
    assert.deepEqual(profile.ratings.map((r) => r.id).sort(), [...movies].sort());
    assert.ok(profile.ratings.every((r) => r.rating === 4 && r.yourRating === null));
    assert.equal((await visitor.get('/api/users/nobody_here_at_all')).status, 404);
    assert.equal((await visitor.get('/api/users/Bad%20Name')).status, 400);
  });

  test('the account e-mail is shown to its owner only, and changes need the current password', async () => {
    const email = newEmail('account');
    const client = new Client(api.app);
    await client.register(email);
    assert.deepEqual((await client.get('/api/me/account')).json, { email });
    assert.equal((await new Client(api.app).get('/api/me/account')).status, 401);
    for (const change of [{ newPassword: 'another good password' }, { email: newEmail() }]) {
      const wrong = await client.request('PATCH', '/api/me/account', {
        currentPassword: 'not my password',
        ...change,
      });
      assert.equal(wrong.status, 403);
      assert.match((wrong.json as { detail: string }).detail, /^currentPassword:/);
    }
    const elsewhere = new Client(api.app);
    assert.equal((await elsewhere.login(email)).status, 200);
    const changed = await client.request('PATCH', '/api/me/account', {
      currentPassword: PASSWORD,
      newPassword: 'another good password',
    });
    assert.equal(changed.status, 204);
    assert.equal((await elsewhere.get('/api/session')).json?.member, null, 'other sessions end');
    assert.equal((await new Client(api.app).login(email)).status, 401);
    assert.equal((await new Client(api.app).login(email, 'another good password')).status, 200);
    const badEmail = await client.request('PATCH', '/api/me/account', {
      currentPassword: 'another good password',
      email: 'not an address',
    });
    assert.equal(badEmail.status, 400);
    assert.deepEqual(
      (badEmail.json as { errors: Array<{ path: string }> }).errors.map((e) => e.path),
      ['email'],
    );
    const short = await client.request('PATCH', '/api/me/account', {
      currentPassword: 'another good password',
      newPassword: 'short',
    });
    assert.equal(short.status, 400);
    assert.deepEqual((await client.get('/api/me/account')).json, { email });
  });

  test('a new e-mail answers 202 and changes only when the link mailed there is followed; the old address is told', async () => {
    const email = newEmail('moving');
    const client = new Client(api.app);
    const { id } = await client.register(email);
    const newAddress = newEmail('moved');
    const before = new Set(outboxFiles(api));
    const asked = await client.request('PATCH', '/api/me/account', {
      currentPassword: PASSWORD,
      email: newAddress.toUpperCase(),
    });
    assert.equal(asked.status, 202);
    assert.deepEqual(asked.json, { status: 'check-your-new-address' });
    assert.deepEqual((await client.get('/api/me/account')).json, { email }, 'not yet changed');
    assert.equal((await new Client(api.app).login(newAddress)).status, 401);
    const link = await waitForMailTo(api, newAddress, /\/confirm-email\?token=/, before);
    assert.match(link, /If it was not you, ignore this message/);
    assert.doesNotMatch(link, /List-Unsubscribe/i, 'the new address has no account yet');
    const token = /\/confirm-email\?token=([A-Za-z0-9_-]+)/.exec(link)![1];

    // The link works without logging in (another browser), once.
    const stranger = new Client(api.app);
    const confirmed = await stranger.request('POST', '/api/auth/email-change/confirm', { token });
    assert.equal(confirmed.status, 200);
    assert.deepEqual(confirmed.json, { status: 'email-changed' });
    assert.equal(confirmed.headers['set-cookie'], undefined, 'following the link logs nobody in');
    assert.deepEqual((await client.get('/api/me/account')).json, { email: newAddress });
    assert.equal((await new Client(api.app).login(email)).status, 401);
    const login = await new Client(api.app).login(newAddress);
    assert.equal((login.json as { member: { id: number } }).member.id, id);
    const notice = await waitForMailTo(api, email, /Your lenslab e-mail was changed/, before);
    assert.doesNotMatch(notice, /confirm-email/);
    assert.ok(!notice.includes(newAddress), 'the notice does not show the new address');
    const reused = await stranger.request('POST', '/api/auth/email-change/confirm', { token });
    assert.equal(reused.status, 400);
    assert.deepEqual(
      (reused.json as { errors: Array<{ path: string }> }).errors.map((e) => e.path),
      ['token'],
    );
  });

  test("asking for an address that has an account answers alike, changes nothing and tells that address's owner", async () => {
    const holder = await member(api);
    const client = new Client(api.app);
    const { email } = await client.register(newEmail('asker'));
    const before = new Set(outboxFiles(api));
    const free = newEmail('free');
    const answers = [];
    for (const address of [holder.email, free]) {
      answers.push(
        await client.request('PATCH', '/api/me/account', {
          currentPassword: PASSWORD,
          email: address,
        }),
      );
    }
    assert.equal(answers[0].status, 202);
    assert.equal(answers[0].body, answers[1].body, 'the answer does not tell which is taken');
    const notice = await waitForMailTo(api, holder.email, /move a lenslab account/, before);
    assert.match(notice, /Nothing changed/);
    assert.doesNotMatch(notice, /confirm-email/, 'the notice carries no link');
    assert.ok(!notice.includes(email), "the notice does not show the asker's address");
    await waitForMailTo(api, free, /\/confirm-email\?token=/, before);
    assert.deepEqual((await client.get('/api/me/account')).json, { email });
    assert.equal((await new Client(api.app).login(holder.email)).status, 200);
  });

  test('an expired or replaced change-of-address link changes nothing', async () => {
    const client = new Client(api.app);
    const { email, id } = await client.register(newEmail('stay'));
    const links: string[] = [];
    for (const label of ['first', 'second']) {
      const address = newEmail(label);
      const before = new Set(outboxFiles(api));
      await client.request('PATCH', '/api/me/account', {
        currentPassword: PASSWORD,
        email: address,
      });
      const mail = await waitForMailTo(api, address, /\/confirm-email\?token=/, before);
      links.push(/\/confirm-email\?token=([A-Za-z0-9_-]+)/.exec(mail)![1]);
    }
    const confirm = (token: string) =>
      new Client(api.app).request('POST', '/api/auth/email-change/confirm', { token });
    assert.equal((await confirm(links[0])).status, 400, 'a newer request replaces the link');
    await api.db.kysely
      .updateTable('email_changes')
      .set({ expires_at: 1 })
      .where('user_id', '=', id)
      .execute();
    assert.equal((await confirm(links[1])).status, 400, 'expired');
    assert.deepEqual((await client.get('/api/me/account')).json, { email });
    assert.equal((await confirm('bogus')).status, 400);
  });

  test('export holds the member, e-mail, privacy, ratings, posts, events and experiments', async () => {
    const email = newEmail('export');
    const client = new Client(api.app);
    const { id } = await client.register(email);
    const other = await member(api);
    const name = username('exporter');
    await client.request('PATCH', '/api/me/privacy', { username: name });
    const [movieId] = await popularMovieIds(client, 1);
    await client.request('PUT', `/api/ratings/${movieId}`, { rating: 5 });
    await client.request('POST', '/api/boards/general/threads', {
      title: 'Hello',
      body: 'My *first* post',
    });
    const [, otherMovieId] = await popularMovieIds(other.client, 2);
    await other.client.request('PUT', `/api/ratings/${otherMovieId}`, { rating: 2 });
    const now = Date.now();
    const experiment = await api.db.kysely
      .insertInto('experiments')
      .values({
        name: `export-test-${process.pid}-${now}`,
        hypothesis: 'members see their variant in their export',
        population: 'all',
        starts_at: Math.floor(now / 1000) - 60,
        stops_at: Math.floor(now / 1000) + 3600,
        status: 'running',
        created_at: Math.floor(now / 1000),
        created_by: null,
        started_at: Math.floor(now / 1000),
        stopped_at: null,
      })
      .returning(['id', 'name'])
      .executeTakeFirstOrThrow();
    await api.db.kysely
      .insertInto('experiment_assignments')
      .values([
        { experiment_id: experiment.id, user_id: id, variant: 'treatment', exposed_at_ms: now },
        { experiment_id: experiment.id, user_id: other.id, variant: 'control', exposed_at_ms: now },
      ])
      .execute();
    // The rating's event may still be queued: the export writes the queue before reading it.
    const response = await client.get('/api/me/export');
    assert.equal(response.status, 200);
    assert.match(
      String(response.headers['content-disposition']),
      /attachment; filename="lenslab-export-\d+\.json"/,
    );
    const data = response.json as {
      member: { id: number; origin: string };
      account: { email: string };
      privacy: { username: string };
      ratings: Array<{ movieId: number; rating: number }>;
      posts: Array<{ body: string; threadTitle: string }>;
      events: Array<{ kind: string; occurredAt: string; data: Record<string, unknown> }>;
      experiments: Array<{ experiment: string; variant: string; exposedAt: string }>;
    };
    assert.equal(data.member.id, id);
    assert.equal(data.member.origin, 'signup');
    assert.equal(data.account.email, email);
    assert.equal(data.privacy.username, name);
    assert.deepEqual(
      data.ratings.map((r) => [r.movieId, r.rating]),
      [[movieId, 5]],
    );
    assert.deepEqual(
      data.posts.map((p) => [p.threadTitle, p.body]),
      [['Hello', 'My *first* post']],
    );
    // Research events: the member's own (with kind, time and data), never another member's.
    const ratingEvents = data.events.filter((e) => e.kind === 'rating');
    assert.deepEqual(
      ratingEvents.map((e) => [e.data.movieId, e.data.rating]),
      [[movieId, 5]],
    );
    for (const event of data.events) {
      assert.ok(!Number.isNaN(Date.parse(event.occurredAt)), event.occurredAt);
      assert.equal(typeof event.data, 'object');
    }
    assert.ok(!ratingEvents.some((e) => e.data.movieId === otherMovieId || e.data.rating === 2));
    assert.ok(!JSON.stringify(data.events).includes('@'), 'no e-mail in the events');
    // Experiment assignments: the member's variant only.
    assert.deepEqual(data.experiments, [
      { experiment: experiment.name, variant: 'treatment', exposedAt: new Date(now).toISOString() },
    ]);
    assert.equal((await new Client(api.app).get('/api/me/export')).status, 401);
  });

  test('deleting the account removes identity, ratings, sessions, settings and posts; the e-mail can register again', async () => {
    const email = newEmail('leaving');
    const client = new Client(api.app);
    const { id } = await client.register(email);
    await client.request('PATCH', '/api/me/privacy', { username: username('leaver') });
    const movies = await popularMovieIds(client, 2);
    const before = (await client.get(`/api/movies/${movies[0]}`)).json as {
      ratingsCount: number;
    };
    for (const movieId of movies)
      await client.request('PUT', `/api/ratings/${movieId}`, { rating: 5 });
    const own = (
      await client.request('POST', '/api/boards/general/threads', {
        title: 'Bye',
        body: 'leaving soon',
      })
    ).json as { id: number };
    const other = await member(api);
    await other.client.request('PATCH', '/api/me/privacy', { username: username('stayer') });
    const shared = (
      await other.client.request('POST', '/api/boards/general/threads', {
        title: 'Stay',
        body: 'a thread',
      })
    ).json as { id: number };
    await client.request('POST', `/api/threads/${shared.id}/posts`, { body: 'my reply' });
    const started = (
      await client.request('POST', '/api/boards/general/threads', {
        title: 'Mine, with a reply',
        body: 'question',
      })
    ).json as { id: number };
    await other.client.request('POST', `/api/threads/${started.id}/posts`, { body: 'an answer' });
    await client.request('POST', '/api/auth/password-reset', { email });
    await waitForMail(api, outboxMessages(api).length);

    const cookie = client.cookie;
    assert.equal(
      (await client.request('DELETE', '/api/me', { password: 'wrong password!' })).status,
      403,
    );
    assert.equal((await client.request('DELETE', '/api/me', {})).status, 400);
    assert.equal((await client.request('DELETE', '/api/me', { password: PASSWORD })).status, 204);

    // No row of any table refers to the deleted member.
    const users = await api.db.kysely.selectFrom('users').select('id').where('id', '=', id);
    assert.equal((await users.execute()).length, 0);
    const tables = await ownTables(api.db);
    const withMembers = tables.filter((t) => t.columns.some((c) => c.name === 'user_id'));
    assert.ok(withMembers.length >= 10, withMembers.map((t) => t.name).join(', '));
    for (const { name } of withMembers) {
      const rows = await api.db.kysely
        .selectFrom(name as 'ratings')
        .select('user_id')
        .where('user_id', '=', id)
        .execute();
      assert.equal(rows.length, 0, name);
    }
    const replay = new Client(api.app);
    replay.cookie = cookie;
    assert.equal((await replay.get('/api/session')).json?.member, null);
    assert.equal((await new Client(api.app).login(email)).status, 401);
    assert.equal(
      (await other.client.get(`/api/threads/${own.id}`)).status,
      404,
      'a thread only they posted in is gone',
    );
    const sharedView = (await other.client.get(`/api/threads/${shared.id}`)).json as {
      posts: Array<{ body: string }>;
    };
    assert.deepEqual(
      sharedView.posts.map((p) => p.body),
      ['a thread'],
      'their reply is gone, the thread stays',
    );
    const startedView = (await other.client.get(`/api/threads/${started.id}`)).json as {
      thread: { author: string | null };
      posts: Array<{ body: string }>;
    };
    assert.equal(startedView.thread.author, null);
    assert.deepEqual(
      startedView.posts.map((p) => p.body),
      ['an answer'],
    );
    const afterwards = (await other.client.get(`/api/movies/${movies[0]}`)).json as {
      ratingsCount: number;
    };
    assert.equal(afterwards.ratingsCount, before.ratingsCount, 'their ratings no longer count');

    const again = new Client(api.app);
    const newcomer = await again.register(email);
    assert.notEqual(newcomer.id, id);
    assert.equal(((await again.get('/api/ratings')).json as { total: number }).total, 0);
    assert.deepEqual((await again.get('/api/me/privacy')).json, {
      ratingsVisibility: 'private',
      researchConsent: false,
      emailUpdates: false,
      username: null,
    });
  });

  test('one-click unsubscribe works without logging in', async () => {
    const email = newEmail('news');
    const client = new Client(api.app);
    await client.register(email);
    await client.request('PATCH', '/api/me/privacy', { emailUpdates: true });
    const before = outboxMessages(api).length;
    await new Client(api.app).request('POST', '/api/auth/password-reset', { email });
    const mail = decodeMail((await waitForMail(api, before + 1)).at(-1)!);
    const link = /https?:\/\/[^/\s]+(\/api\/unsubscribe\?token=[A-Za-z0-9_-]+)/.exec(mail)![1];
    const page = await new Client(api.app).get(link);
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /text\/html/);
    assert.match(page.body, /Unsubscribed/);
    assert.equal(
      ((await client.get('/api/me/privacy')).json as { emailUpdates: boolean }).emailUpdates,
      false,
    );
    assert.equal((await new Client(api.app).get('/api/unsubscribe?token=unknown')).status, 404);
    assert.equal((await new Client(api.app).get('/api/unsubscribe')).status, 400);
    await client.request('PATCH', '/api/me/privacy', { emailUpdates: true });
    const oneClick = await new Client(api.app).request('POST', link);
    assert.equal(oneClick.status, 200);
    assert.equal(
      ((await client.get('/api/me/privacy')).json as { emailUpdates: boolean }).emailUpdates,
      false,
    );
  });
});
