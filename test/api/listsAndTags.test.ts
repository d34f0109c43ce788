import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client, PASSWORD, describeApi, member, popularMovieIds } from './harness.ts';

interface Problem {
  status: number;
  detail: string;
  errors?: Array<{ path: string; message: string }>;
}
type Listed = { wishlist: Array<{ id: number }>; hidden: Array<{ id: number }> };

const ids = (items: Array<{ id: number }>) => items.map((item) => item.id);

describeApi('member lists and tags API', (api) => {
  /** Movies of their own for each tag test (tests share the server), in a stable order. */
  async function movies(client: Client, from: number, count: number): Promise<number[]> {
    const page = await client.get(`/api/movies?sort=title&pageSize=${from + count}`);
    return ids((page.json as { items: Array<{ id: number }> }).items).slice(from);
  }

  async function ratedMember() {
    const account = await member(api);
    for (const movieId of await popularMovieIds(account.client, 12))
      await account.client.request('PUT', `/api/ratings/${movieId}`, { rating: 4 });
    return account;
  }

  async function recommended(client: Client): Promise<number[]> {
    const response = await client.get('/api/recommendations?n=10');
    assert.equal(response.status, 200);
    return ids((response.json as { items: Array<{ id: number }> }).items);
  }

  test('wishlist and hide round trip; listed movies are never recommended again', async () => {
    const { client } = await ratedMember();
    const before = await recommended(client);
    assert.ok(before.length >= 3);
    const [wanted, hidden] = before;
    assert.equal((await client.request('PUT', `/api/lists/wishlist/${wanted}`)).status, 204);
    assert.equal((await client.request('PUT', `/api/lists/hidden/${hidden}`)).status, 204);
    assert.deepEqual((await client.get(`/api/lists/movies/${hidden}`)).json, { list: 'hidden' });
    const lists = (await client.get('/api/lists')).json as Listed;
    assert.deepEqual(ids(lists.wishlist), [wanted]);
    assert.deepEqual(ids(lists.hidden), [hidden]);

    const after = await recommended(client);
    assert.ok(!after.includes(wanted) && !after.includes(hidden), String(after));
    assert.equal(after.length, before.length, 'the list is filled up to n');
    assert.deepEqual(
      after.slice(0, 3),
      before.filter((id) => id !== wanted && id !== hidden).slice(0, 3),
    );

    // Moving a movie to the other list takes it off the first; undo brings it back.
    assert.equal((await client.request('PUT', `/api/lists/hidden/${wanted}`)).status, 204);
    const moved = (await client.get('/api/lists')).json as Listed;
    assert.deepEqual(ids(moved.wishlist), []);
    assert.deepEqual(new Set(ids(moved.hidden)), new Set([wanted, hidden]));
    assert.equal((await client.request('DELETE', `/api/lists/hidden/${wanted}`)).status, 204);
    assert.equal((await client.request('DELETE', `/api/lists/hidden/${hidden}`)).status, 204);
    assert.deepEqual(await recommended(client), before);
    assert.equal((await client.request('DELETE', `/api/lists/hidden/${hidden}`)).status, 404);
  });

  test('movies listed before a member is first served stay out of the top list, genre lists and home page', async () => {
    // Two members with the same ratings get the same recommendations: the first shows which
    // movies the second would be recommended; the second lists two of them, and is then served
    // by a recommender that has not seen them yet (as after a restart): it reads the lists.
    const first = await ratedMember();
    const second = await ratedMember();
    const top = await recommended(first.client);
    const [wanted, hidden] = top;
    assert.equal((await second.client.request('PUT', `/api/lists/wishlist/${wanted}`)).status, 204);
    assert.equal((await second.client.request('PUT', `/api/lists/hidden/${hidden}`)).status, 204);
    api.app.services.recommender.forget(second.id);
    const longer = await first.client.get('/api/recommendations?n=12');
    const expected = ids((longer.json as { items: Array<{ id: number }> }).items)
      .filter((id) => id !== wanted && id !== hidden)
      .slice(0, 10);
    assert.deepEqual(await recommended(second.client), expected);
    const movie = (await second.client.get(`/api/movies/${hidden}`)).json as { genres: string[] };
    const genre = await second.client.get(
      `/api/recommendations?n=100&genre=${encodeURIComponent(movie.genres[0])}`,
    );
    assert.ok(!ids((genre.json as { items: Array<{ id: number }> }).items).includes(hidden));
    type Home = {
      topPicks: Array<{ id: number }>;
      shelves: Array<{ items: Array<{ id: number }> }>;
    };
    const home = (await second.client.get('/api/recommendations/home')).json as Home;
    const shown = [...ids(home.topPicks), ...home.shelves.flatMap((shelf) => ids(shelf.items))];
    assert.ok(shown.length > 0 && !shown.includes(wanted) && !shown.includes(hidden));
  });

  test('bad list requests are refused and change nothing; visitors get 401', async () => {
    const { client } = await member(api);
    const [movie] = await popularMovieIds(client, 1);
    assert.equal((await client.request('PUT', `/api/lists/favourites/${movie}`)).status, 400);
    assert.equal((await client.request('PUT', '/api/lists/wishlist/999999999')).status, 404);
    assert.equal((await client.request('PUT', '/api/lists/wishlist/abc')).status, 400);
    assert.deepEqual((await client.get('/api/lists')).json, { wishlist: [], hidden: [] });
    const visitor = new Client(api.app);
    assert.equal((await visitor.get('/api/lists')).status, 401);
    assert.equal((await visitor.request('PUT', `/api/lists/wishlist/${movie}`)).status, 401);
    assert.equal((await visitor.get('/api/movies?list=wishlist')).status, 401);
    assert.equal(
      (await visitor.request('POST', `/api/movies/${movie}/tags`, { tag: 'x' })).status,
      401,
    );
  });

  test('Explore leaves hidden movies out and filters by list', async () => {
    const { client } = await member(api);
    const [first, second, third] = await popularMovieIds(client, 3);
    await client.request('PUT', `/api/lists/hidden/${first}`);
    await client.request('PUT', `/api/lists/wishlist/${second}`);
    await client.request('PUT', `/api/lists/wishlist/${third}`);
    const page = (query: string) =>
      client
        .get(`/api/movies?sort=popularity&pageSize=100${query}`)
        .then((r) => r.json as { items: Array<{ id: number }>; total: number });
    const all = await page('');
    assert.ok(!ids(all.items).includes(first));
    assert.equal(all.items[0].id, second);
    assert.deepEqual(ids((await page('&list=wishlist')).items), [second, third]);
    assert.deepEqual(ids((await page('&list=hidden')).items), [first]);
    assert.equal((await client.get('/api/movies?list=everything')).status, 400);
    // Another member and visitors still see the movie.
    const other = await member(api);
    const theirs = (await other.client.get('/api/movies?sort=popularity&pageSize=5')).json as {
      items: Array<{ id: number }>;
    };
    assert.ok(ids(theirs.items).includes(first));
  });

  test('tags: normalized, counted without names, searchable; tag pages rank by count', async () => {
    const alice = await member(api);
    const bob = await member(api);
    const [movie, other] = await movies(alice.client, 0, 2);
    const tag = (client: Client, movieId: number, text: string) =>
      client.request('POST', `/api/movies/${movieId}/tags`, { tag: text });
    assert.deepEqual((await tag(alice.client, movie, '  Time   Travel ')).json, {
      tag: 'Time Travel',
    });
    assert.equal((await tag(bob.client, movie, 'time travel')).status, 201);
    assert.equal((await tag(bob.client, other, 'TIME TRAVEL')).status, 201);
    // Full-width letters are the same tag under NFKC.
    assert.equal((await tag(bob.client, movie, 'ｔｉｍｅ travel')).status, 201);

    const visitor = new Client(api.app);
    const tags = (await visitor.get(`/api/movies/${movie}/tags`)).json as {
      tags: Array<{ tag: string; count: number }>;
      mine: string[];
    };
    assert.equal(tags.tags.length, 1);
    assert.equal(tags.tags[0].count, 2);
    assert.deepEqual(tags.mine, []);
    assert.doesNotMatch(JSON.stringify(tags), /user|name|member/i);
    const mine = (await alice.client.get(`/api/movies/${movie}/tags`)).json as { mine: string[] };
    assert.deepEqual(mine.mine, ['Time Travel']);

    const found = (await visitor.get('/api/tags?q=TIME')).json as Array<{
      tag: string;
      count: number;
    }>;
    assert.equal(found.length, 1);
    assert.equal(found[0].count, 3);
    assert.deepEqual((await visitor.get('/api/tags?q=ime')).json, []);
    assert.deepEqual((await visitor.get('/api/tags?q=%25')).json, [], 'a LIKE wildcard is text');

    const page = (await visitor.get(`/api/tags/${encodeURIComponent('Time travel')}`)).json as {
      items: Array<{ id: number; tagCount: number }>;
    };
    assert.deepEqual(
      page.items.map((m) => [m.id, m.tagCount]),
      [
        [movie, 2],
        [other, 1],
      ],
    );
  });

  test('bad tags are refused with 400 naming the field, and nothing is stored', async () => {
    const { client } = await member(api);
    const [movie] = await movies(client, 5, 1);
    for (const [text, reason] of [
      ['mail me at bob@example.org', /e-mail/],
      ['bob ＠ example.org', /e-mail/],
      ['x'.repeat(65), /64/],
      ['   ', /empty/],
      ['tab\u0007bell', /control/],
    ] as const) {
      const response = await client.request('POST', `/api/movies/${movie}/tags`, { tag: text });
      assert.equal(response.status, 400, text);
      const problem = response.json as Problem;
      assert.equal(problem.errors?.[0].path, 'tag', text);
      assert.match(problem.detail, reason);
    }
    assert.equal((await client.request('POST', `/api/movies/${movie}/tags`, {})).status, 400);
    assert.equal(
      (await client.request('POST', '/api/movies/999999999/tags', { tag: 'fine' })).status,
      404,
    );
    assert.deepEqual((await client.get(`/api/movies/${movie}/tags`)).json, { tags: [], mine: [] });
  });

  test('a member deletes only their own tag', async () => {
    const owner = await member(api);
    const stranger = await member(api);
    const [movie] = await movies(owner.client, 6, 1);
    await owner.client.request('POST', `/api/movies/${movie}/tags`, { tag: 'Mine Only' });
    const path = `/api/movies/${movie}/tags/${encodeURIComponent('mine only')}`;
    assert.equal((await stranger.client.request('DELETE', path)).status, 404);
    assert.equal((await new Client(api.app).request('DELETE', path)).status, 401);
    const still = (await owner.client.get(`/api/movies/${movie}/tags`)).json as { mine: string[] };
    assert.deepEqual(still.mine, ['Mine Only']);
    assert.equal((await owner.client.request('DELETE', path)).status, 204);
    assert.deepEqual((await owner.client.get(`/api/movies/${movie}/tags`)).json, {
      tags: [],
      mine: [],
    });
  });

  test('tagging too fast is limited (429) per member', async () => {
    const { client } = await member(api);
    const [movie] = await movies(client, 7, 1);
    const statuses: number[] = [];
    for (let k = 0; k < 31; k++)
      statuses.push(
        (await client.request('POST', `/api/movies/${movie}/tags`, { tag: `t${k}` })).status,
      );
    assert.deepEqual(statuses.slice(0, 30), new Array(30).fill(201));
    assert.equal(statuses[30], 429);
    const tags = (await client.get(`/api/movies/${movie}/tags`)).json as { mine: string[] };
    assert.equal(tags.mine.length, 30);
  });

  test('the data export holds the lists and tags; deleting the account removes them', async () => {
    const { client, id } = await member(api);
    const [first, second] = await movies(client, 8, 2);
    await client.request('PUT', `/api/lists/wishlist/${first}`);
    await client.request('PUT', `/api/lists/hidden/${second}`);
    await client.request('POST', `/api/movies/${first}/tags`, { tag: 'Cosy, "rainy" day' });
    const exported = (await client.get('/api/me/export')).json as {
      wishlist: Array<{ movieId: number }>;
      hidden: Array<{ movieId: number }>;
      tags: Array<{ movieId: number; tag: string }>;
    };
    assert.deepEqual(
      exported.wishlist.map((m) => m.movieId),
      [first],
    );
    assert.deepEqual(
      exported.hidden.map((m) => m.movieId),
      [second],
    );
    assert.deepEqual(
      exported.tags.map((t) => [t.movieId, t.tag]),
      [[first, 'Cosy, "rainy" day']],
    );
    assert.equal((await client.request('DELETE', '/api/me', { password: PASSWORD })).status, 204);
    for (const table of ['member_lists', 'tags'] as const) {
      const rows = await api.db.kysely
        .selectFrom(table)
        .selectAll()
        .where('user_id', '=', id)
        .execute();
      assert.equal(rows.length, 0, table);
    }
    const visitor = new Client(api.app);
    assert.deepEqual((await visitor.get(`/api/movies/${first}/tags`)).json, { tags: [], mine: [] });
  });
});
