// A movie's shared ratings (GET /api/movies/:id/ratings): public members by username, anonymous
// ones with no name or id, private ones never; read live, so switching to private or deleting the
// account removes a member at once; only the month is given.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client, PASSWORD, describeApi, member, popularMovieIds, type Api } from './harness.ts';

interface SharedPage {
  items: Array<{ username: string | null; rating: number; month: string }>;
  page: number;
  pageSize: number;
  total: number;
}

let usernames = 0;
const username = (label: string) => `${label}_${process.pid % 10000}_${++usernames}`;

/** A member with a username and the given visibility who rated `movieId`. */
async function rater(api: Api, movieId: number, visibility: string, rating: number) {
  const account = await member(api);
  const name = username(visibility.slice(0, 4));
  const changed = await account.client.request('PATCH', '/api/me/privacy', {
    username: name,
    ratingsVisibility: visibility,
  });
  assert.equal(changed.status, 200);
  assert.equal(
    (await account.client.request('PUT', `/api/ratings/${movieId}`, { rating })).status,
    200,
  );
  return { ...account, name };
}

async function shared(movieId: number, api: Api, query = ''): Promise<SharedPage> {
  const response = await new Client(api.app).get(`/api/movies/${movieId}/ratings${query}`);
  assert.equal(response.status, 200, response.body);
  return response.json as SharedPage;
}

const thisMonth = () => new Date().toISOString().slice(0, 7);

describeApi('shared ratings on the movie page', (api) => {
  let movies: number[] = [];
  test('setup: one movie per test, rated by nobody who shares', async () => {
    movies = await popularMovieIds(new Client(api.app), 6);
    for (const movieId of movies) assert.equal((await shared(movieId, api)).total, 0);
  });

  test('public by username, anonymous with no name or id, private never', async () => {
    const movieId = movies[0];
    const publicRater = await rater(api, movieId, 'public', 5);
    const anonymousRater = await rater(api, movieId, 'anonymous', 3);
    const privateRater = await rater(api, movieId, 'private', 1);
    const response = await new Client(api.app).get(`/api/movies/${movieId}/ratings`);
    const list = response.json as SharedPage;
    assert.equal(list.total, 2);
    assert.deepEqual(
      [...list.items].sort((a, b) => b.rating - a.rating),
      [
        { username: publicRater.name, rating: 5, month: thisMonth() },
        { username: null, rating: 3, month: thisMonth() },
      ],
    );
    // Nothing in the answer names or numbers the anonymous or private member.
    for (const secret of [anonymousRater.name, privateRater.name]) {
      assert.ok(!response.body.includes(secret), secret);
    }
    for (const item of list.items)
      assert.deepEqual(Object.keys(item).sort(), ['month', 'rating', 'username']);
    assert.ok(!/"(id|userId|memberId|ratedAt)"/.test(response.body), response.body);
    // The anonymous member's profile shows no ratings, like a private one's.
    for (const name of [anonymousRater.name, privateRater.name]) {
      const profile = await new Client(api.app).get(`/api/users/${name}`);
      assert.deepEqual(profile.json, { username: name, ratings: null });
    }
  });

  test('switching visibility applies at once; a deleted account vanishes', async () => {
    const movieId = movies[1];
    const sharer = await rater(api, movieId, 'public', 4);
    const names = async () => (await shared(movieId, api)).items.map((item) => item.username);
    assert.deepEqual(await names(), [sharer.name]);
    await sharer.client.request('PATCH', '/api/me/privacy', { ratingsVisibility: 'anonymous' });
    assert.deepEqual(await names(), [null]);
    await sharer.client.request('PATCH', '/api/me/privacy', { ratingsVisibility: 'private' });
    assert.deepEqual(await names(), []);
    await sharer.client.request('PATCH', '/api/me/privacy', { ratingsVisibility: 'public' });
    assert.deepEqual(await names(), [sharer.name]);
    // Removing the rating removes the entry.
    await sharer.client.request('DELETE', `/api/ratings/${movieId}`);
    assert.deepEqual(await names(), []);
    await sharer.client.request('PUT', `/api/ratings/${movieId}`, { rating: 2 });
    const deleted = await sharer.client.request('DELETE', '/api/me', { password: PASSWORD });
    assert.equal(deleted.status, 204);
    assert.deepEqual(await shared(movieId, api), { items: [], page: 1, pageSize: 10, total: 0 });
  });

  test('a public member without a username is shown unnamed', async () => {
    const movieId = movies[2];
    const { client } = await member(api);
    await client.request('PATCH', '/api/me/privacy', { ratingsVisibility: 'public' });
    await client.request('PUT', `/api/ratings/${movieId}`, { rating: 2 });
    assert.deepEqual((await shared(movieId, api)).items, [
      { username: null, rating: 2, month: thisMonth() },
    ]);
  });

  test('newest first, month only, paged', async () => {
    const movieId = movies[3];
    const raters = [
      await rater(api, movieId, 'public', 1),
      await rater(api, movieId, 'anonymous', 2),
      await rater(api, movieId, 'public', 3),
    ];
    // Rated in March 2024, January 2025 and July 2023 (seconds into the month: not shown).
    const times = [Date.UTC(2024, 2, 15, 13, 7), Date.UTC(2025, 0, 2, 8), Date.UTC(2023, 6, 31)];
    for (const [i, { id }] of raters.entries()) {
      await api.db.kysely
        .updateTable('ratings')
        .set({ rated_at: times[i] / 1000 })
        .where('user_id', '=', id)
        .where('movie_id', '=', movieId)
        .execute();
    }
    const all = await shared(movieId, api);
    assert.deepEqual(all.items, [
      { username: null, rating: 2, month: '2025-01' },
      { username: raters[0].name, rating: 1, month: '2024-03' },
      { username: raters[2].name, rating: 3, month: '2023-07' },
    ]);
    const second = await shared(movieId, api, '?page=2&pageSize=2');
    assert.deepEqual(second, { items: all.items.slice(2), page: 2, pageSize: 2, total: 3 });
  });

  test('ties in time and stars put anonymous entries first, whatever the member ids', async () => {
    const movieId = movies[4];
    // The public member has the lower id in one pair and the higher in the other.
    const pairs = [
      [await rater(api, movieId, 'public', 4), await rater(api, movieId, 'anonymous', 4)],
      [await rater(api, movieId, 'anonymous', 2), await rater(api, movieId, 'public', 2)],
    ];
    const ids = pairs.flat().map((r) => r.id);
    await api.db.kysely
      .updateTable('ratings')
      .set({ rated_at: Date.UTC(2024, 4, 1) / 1000 })
      .where('user_id', 'in', ids)
      .where('movie_id', '=', movieId)
      .execute();
    assert.deepEqual(
      (await shared(movieId, api)).items.map((item) => [item.rating, item.username]),
      [
        [4, null],
        [4, pairs[0][0].name],
        [2, null],
        [2, pairs[1][1].name],
      ],
    );
  });

  test('bad requests are refused naming the parameter; an unknown movie is 404', async () => {
    const movieId = movies[5];
    const visitor = new Client(api.app);
    for (const query of ['?page=0', '?pageSize=51', '?pageSize=-1', '?page=x']) {
      const response = await visitor.get(`/api/movies/${movieId}/ratings${query}`);
      assert.equal(response.status, 400, query);
      const name = query.slice(1).split('=')[0];
      assert.match(response.body, new RegExp(name), query);
    }
    assert.equal((await visitor.get('/api/movies/abc/ratings')).status, 400);
    assert.equal((await visitor.get('/api/movies/99999999/ratings')).status, 404);
  });
});
