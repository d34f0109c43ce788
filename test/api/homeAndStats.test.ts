import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { readMl100k } from '../../src/datasets/ml100k.ts';
import type { Db } from '../../src/db/connection.ts';
import { writeFolder } from '../helpers/files.ts';
import { testDatabases } from '../helpers/databases.ts';
import { Client, describeApi, member, startApi, type Api } from './harness.ts';

interface Summary {
  id: number;
  title: string;
  year: number | null;
  ratingsCount: number;
  yourRating: number | null;
}
interface Lists {
  newAdditions: Summary[];
  topRated: Summary[];
  recentlyReleased: Summary[];
  minRatings: number;
}
interface Problem {
  errors?: Array<{ path: string; message: string }>;
}

/** Per movie: ratings count and sum, from the database itself. */
async function movieTotals(db: Db) {
  const rows = await sql<{
    id: number;
    year: number | null;
    added_at: number;
    n: number;
    s: number;
  }>`
    SELECT m.id, m.year, m.added_at, count(r.rating) AS n, coalesce(sum(r.rating), 0) AS s
    FROM movies m LEFT JOIN ratings r ON r.movie_id = m.id GROUP BY m.id, m.year, m.added_at`.execute(
    db.kysely,
  );
  return rows.rows.map((r) => ({
    id: Number(r.id),
    year: r.year === null ? null : Number(r.year),
    addedAt: Number(r.added_at),
    n: Number(r.n),
    s: Number(r.s),
  }));
}

describeApi('home lists, stats and groups', (api) => {
  test('ready lists: new additions, top rated (damped mean, minimum), recently released', async () => {
    const lists = (await new Client(api.app).get('/api/movies/lists?n=10')).json as Lists;
    const movies = await movieTotals(api.db);
    const newest = [...movies].sort((a, b) => b.addedAt - a.addedAt || b.id - a.id);
    assert.deepEqual(
      lists.newAdditions.map((m) => m.id),
      newest.slice(0, 10).map((m) => m.id),
    );
    assert.ok(newest[0].addedAt > newest[newest.length - 1].addedAt, 'added_at was filled');

    const total = movies.reduce((sum, m) => sum + m.n, 0);
    const mean = movies.reduce((sum, m) => sum + m.s, 0) / total;
    const rated = movies.filter((m) => m.n > 0);
    assert.equal(lists.minRatings, Math.min(50, Math.max(1, Math.round(total / rated.length / 2))));
    assert.ok(lists.minRatings > 1, 'the small catalog still asks for several ratings');
    const damped = (m: { n: number; s: number }) => (m.s + 5 * mean) / (m.n + 5);
    const expectedTop = rated
      .filter((m) => m.n >= lists.minRatings)
      .sort((a, b) => damped(b) - damped(a) || b.n - a.n || a.id - b.id);
    assert.deepEqual(
      lists.topRated.map((m) => m.id),
      expectedTop.slice(0, 10).map((m) => m.id),
    );
    // A movie with a higher plain mean but too few ratings stays out.
    const fewRatings = rated.filter((m) => m.n < lists.minRatings);
    assert.ok(fewRatings.length > 0);
    assert.ok(lists.topRated.every((m) => m.ratingsCount >= lists.minRatings));

    const years = [...new Set(rated.map((m) => m.year!))].sort((a, b) => b - a);
    let fromYear = years[0];
    for (const year of years) {
      fromYear = year;
      if (rated.filter((m) => m.year! >= year).length >= 50) break;
    }
    const expectedRecent = rated
      .filter((m) => m.year! >= fromYear)
      .sort((a, b) => b.n - a.n || b.year! - a.year! || a.id - b.id);
    assert.deepEqual(
      lists.recentlyReleased.map((m) => m.id),
      expectedRecent.slice(0, 10).map((m) => m.id),
    );
    assert.ok(fromYear > years[years.length - 1], 'only the newest years');

    const bad = await new Client(api.app).get('/api/movies/lists?n=0');
    assert.equal(bad.status, 400);
  });

  test('a seeded member’s stats: histogram, averages, months, where they differ most', async () => {
    const anonymous = await new Client(api.app).get('/api/me/stats');
    assert.equal(anonymous.status, 401);
    const { client } = await member(api);
    const movies = await movieTotals(api.db);
    const popular = movies.filter((m) => m.n >= 20).slice(0, 6);
    const mine = [1, 5, 5, 2, 4, 1];
    for (const [k, movie] of popular.entries())
      await client.request('PUT', `/api/ratings/${movie.id}`, { rating: mine[k] });
    // A rarely rated movie counts in the histogram but not among the differences.
    const rare = movies.find((m) => m.n > 0 && m.n + 1 < 10)!;
    await client.request('PUT', `/api/ratings/${rare.id}`, { rating: 5 });
    const stats = (await client.get('/api/me/stats')).json as {
      ratingsCount: number;
      histogram: number[];
      yourAverage: number;
      siteAverage: number;
      perMonth: Array<{ month: string; count: number }>;
      minRatings: number;
      differences: Array<{
        movie: Summary;
        yourRating: number;
        average: number;
        difference: number;
      }>;
    };
    assert.equal(stats.ratingsCount, 7);
    assert.deepEqual(stats.histogram, [0, 2, 0, 1, 0, 0, 0, 1, 0, 3]);
    assert.equal(stats.yourAverage, 3.29);
    assert.equal(stats.minRatings, 10);
    const after = await movieTotals(api.db);
    const siteMean = after.reduce((s, m) => s + m.s, 0) / after.reduce((s, m) => s + m.n, 0);
    assert.equal(stats.siteAverage, Math.round(siteMean * 100) / 100);
    assert.deepEqual(stats.perMonth, [{ month: new Date().toISOString().slice(0, 7), count: 7 }]);
    const expected = popular
      .map((movie, k) => {
        const m = after.find((a) => a.id === movie.id)!;
        return { id: m.id, difference: Math.round((mine[k] - m.s / m.n) * 100) / 100 };
      })
      .sort((a, b) => Math.abs(b.difference) - Math.abs(a.difference) || a.id - b.id);
    assert.deepEqual(
      stats.differences.map((d) => ({ id: d.movie.id, difference: d.difference })),
      expected,
    );
  });

  test('onboarding by groups: pick ≥ 3, get first recommendations; bad picks change nothing', async () => {
    const visitor = new Client(api.app);
    assert.equal((await visitor.get('/api/onboarding/groups')).status, 401);
    assert.equal(
      (await visitor.request('PUT', '/api/me/groups', { groups: [1, 2, 3] })).status,
      401,
    );

    const { client, id } = await member(api);
    const { groups, minPicks } = (await client.get('/api/onboarding/groups')).json as {
      groups: Array<{ id: number; genre: string | null; movies: Summary[] }>;
      minPicks: number;
    };
    assert.equal(minPicks, 3);
    assert.ok(groups.length >= 4 && groups.length <= 16, `${groups.length} groups`);
    for (const group of groups) {
      assert.ok(group.movies.length >= 3 && group.movies.length <= 4);
      assert.ok(group.genre !== null);
    }
    const shown = groups.flatMap((g) => g.movies.map((m) => m.id));
    assert.equal(new Set(shown).size, shown.length, 'a movie names one group only');

    const ids = groups.map((g) => g.id);
    const bad: Array<[unknown, string]> = [
      [[ids[0], ids[1], 999], 'groups.2'],
      [[ids[0], ids[0], ids[1]], 'groups.1'],
      [[ids[0], ids[1]], 'groups'],
      [['x', ids[1], ids[2]], 'groups.0'],
      [[], 'groups'],
    ];
    for (const [picks, field] of bad) {
      const answer = await client.request('PUT', '/api/me/groups', { groups: picks });
      assert.equal(answer.status, 400, JSON.stringify(picks));
      assert.ok(
        (answer.json as Problem).errors?.some((e) => e.path === field),
        `${JSON.stringify(picks)} names ${field}: ${answer.body}`,
      );
    }
    const none = await client.get('/api/me/groups/recommendations');
    assert.deepEqual(none.json, { items: [] });

    const ratedId = groups[0].movies[0].id;
    await client.request('PUT', `/api/ratings/${ratedId}`, { rating: 5 });
    const picked = await client.request('PUT', '/api/me/groups', { groups: ids.slice(0, 3) });
    assert.equal(picked.status, 200);
    const items = (picked.json as { items: Summary[] }).items;
    assert.equal(items.length, 20);
    assert.ok(items.every((m) => !shown.slice(0, 12).includes(m.id) && m.id !== ratedId));
    const again = (await client.get('/api/me/groups/recommendations?n=20')).json as {
      items: Summary[];
    };
    assert.deepEqual(
      again.items.map((m) => m.id),
      items.map((m) => m.id),
    );
    // Rating a recommended movie takes it off the list.
    await client.request('PUT', `/api/ratings/${items[0].id}`, { rating: 4 });
    const after = (await client.get('/api/me/groups/recommendations')).json as { items: Summary[] };
    assert.ok(!after.items.some((m) => m.id === items[0].id));

    const exported = (await client.get('/api/me/export')).json as {
      onboardingGroups: Array<{ group: number; movieId: number; shownAsName: boolean }>;
    };
    assert.deepEqual([...new Set(exported.onboardingGroups.map((g) => g.group))], [1, 2, 3]);
    assert.equal(exported.onboardingGroups.filter((g) => g.shownAsName).length, 12);
    const rows = () =>
      api.db.kysely
        .selectFrom('member_group_picks')
        .select('movie_id')
        .where('user_id', '=', id)
        .execute();
    assert.equal((await rows()).length, exported.onboardingGroups.length);
    assert.equal(
      (await client.request('DELETE', '/api/me', { password: 'correct horse battery' })).status,
      204,
    );
    assert.equal((await rows()).length, 0);
  });
});

/** u.item rows: good IMDb URLs, and URLs that must not become links. */
const ITEMS: Array<[string, string]> = [
  ['Toy Story (1995)', 'http://us.imdb.com/M/title-exact?Toy%20Story%20(1995)'],
  ['GoldenEye (1995)', 'https://www.imdb.com/title/tt0113189/'],
  ['Four Rooms (1995)', 'javascript:alert(1)//imdb.com'],
  ['Get Shorty (1995)', 'http://evil.example/?imdb.com'],
  ['Copycat (1995)', 'http://imdb.com.evil.example/M/title-exact?Copycat'],
  ['Babe (1995)', ''],
];

async function linksDataset() {
  const flags = '0|0|0|0|0|1|0|0|0|0|0|0|0|0|0|0|0|0|0';
  const items = ITEMS.map(([title, url], k) => `${k + 1}|${title}|01-Jan-1995||${url}|${flags}\n`);
  const ratings = ITEMS.flatMap((_, k) =>
    [1, 2, 3].map((u) => `${u}\t${k + 1}\t${1 + ((u + k) % 5)}\t${880000000 + k * 1000 + u}\n`),
  );
  const users = [1, 2, 3].map((u) => `${u}|30|F|writer|0000${u}\n`).join('');
  return readMl100k(
    writeFolder({ 'u.item': items.join(''), 'u.data': ratings.join(''), 'u.user': users }),
  );
}

for (const database of testDatabases) {
  describe(`movie links (${database.name})`, { skip: database.skip }, () => {
    let api: Api;
    before(async () => {
      api = await startApi(database, {}, await linksDataset());
    });
    after(async () => api?.close());

    test('links point only to allow-listed hosts, built from ids or an IMDb search title', async () => {
      const client = new Client(api.app);
      const links = async (id: number) =>
        (
          (await client.get(`/api/movies/${id}`)).json as {
            links: { imdb: string | null; tmdb: string | null };
          }
        ).links;
      assert.deepEqual(await links(1), {
        imdb: 'https://www.imdb.com/find/?q=Toy%20Story%20(1995)&s=tt',
        tmdb: null,
      });
      assert.deepEqual(await links(2), {
        imdb: 'https://www.imdb.com/title/tt0113189/',
        tmdb: null,
      });
      for (const id of [3, 4, 5, 6])
        assert.deepEqual(await links(id), { imdb: null, tmdb: null }, `movie ${id}`);
      const stored = await api.db.kysely.selectFrom('movie_links').select('movie_id').execute();
      assert.deepEqual(stored.map((r) => r.movie_id).sort(), [1, 2]);
      // New additions follow each movie's first rating.
      const lists = (await client.get('/api/movies/lists?n=6')).json as Lists;
      assert.deepEqual(
        lists.newAdditions.map((m) => m.id),
        [6, 5, 4, 3, 2, 1],
      );
    });
  });
}
