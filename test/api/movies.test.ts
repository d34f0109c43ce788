import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testDatabases } from '../helpers/databases.ts';
import { CATALOG, Client, member, startApi, type Api } from './harness.ts';

interface Summary {
  id: number;
  title: string;
  year: number | null;
  genres: string[];
  averageRating: number | null;
  ratingsCount: number;
  predictedRating: number | null;
  yourRating: number | null;
}
interface Page {
  items: Summary[];
  page: number;
  pageSize: number;
  total: number;
}

for (const database of testDatabases) {
  describe(`movies API (${database.name})`, { skip: database.skip }, () => {
    let api: Api;
    let anonymous: Client;
    before(async () => {
      api = await startApi(database);
      anonymous = new Client(api.app);
    });
    after(async () => api?.close());

    test('GET /api/movies pages through the whole catalog by popularity', async () => {
      const first = (await anonymous.get('/api/movies?pageSize=50')).json as Page;
      assert.equal(first.total, CATALOG.movies);
      assert.equal(first.items.length, 50);
      assert.equal(first.page, 1);
      for (let k = 1; k < first.items.length; k++)
        assert.ok(first.items[k - 1].ratingsCount >= first.items[k].ratingsCount);
      assert.ok(
        first.items.every((m) => m.predictedRating === null && m.yourRating === null),
        'no personal fields when logged out',
      );
      const second = (await anonymous.get('/api/movies?pageSize=50&page=2')).json as Page;
      assert.equal(second.items.length, 50);
      assert.equal(new Set([...first.items, ...second.items].map((m) => m.id)).size, 100);
      const beyond = (await anonymous.get('/api/movies?page=999')).json as Page;
      assert.deepEqual(beyond.items, []);
      const defaults = (await anonymous.get('/api/movies')).json as Page;
      assert.equal(defaults.pageSize, 24);
    });

    test('search, genre and year filters, and sorts', async () => {
      const all = ((await anonymous.get('/api/movies?pageSize=100')).json as Page).items;
      const target = all[3];
      const word = target.title.split(/\s+/).find((w) => w.length > 3) ?? target.title;
      const found = (
        await anonymous.get(`/api/movies?q=${encodeURIComponent(word.toLowerCase())}&pageSize=100`)
      ).json as Page;
      assert.ok(found.items.some((m) => m.id === target.id));
      assert.ok(
        found.items.every((m) => `${m.title} ${m.year}`.toLowerCase().includes(word.toLowerCase())),
      );
      const genre = target.genres[0];
      const byGenre = (
        await anonymous.get(`/api/movies?genre=${encodeURIComponent(genre)}&pageSize=100`)
      ).json as Page;
      assert.ok(byGenre.total > 0 && byGenre.items.every((m) => m.genres.includes(genre)));
      const year = target.year!;
      const byYear = (await anonymous.get(`/api/movies?year=${year}&pageSize=100`)).json as Page;
      assert.ok(byYear.items.length > 0 && byYear.items.every((m) => m.year === year));
      const range = (
        await anonymous.get(`/api/movies?yearFrom=${year - 2}&yearTo=${year + 2}&pageSize=100`)
      ).json as Page;
      assert.ok(range.items.every((m) => m.year! >= year - 2 && m.year! <= year + 2));
      const byTitle = (
        (await anonymous.get('/api/movies?sort=title&pageSize=20')).json as Page
      ).items.map((m) => m.title);
      assert.deepEqual(
        byTitle,
        [...byTitle].sort((a, b) => a.localeCompare(b)),
      );
      const byYearSort = (
        (await anonymous.get('/api/movies?sort=year&pageSize=20')).json as Page
      ).items.map((m) => m.year ?? 0);
      for (let k = 1; k < byYearSort.length; k++) assert.ok(byYearSort[k - 1] >= byYearSort[k]);
      const unknownGenre = (await anonymous.get('/api/movies?genre=NoSuchGenre')).json as Page;
      assert.equal(unknownGenre.total, 0);
      const empty = await anonymous.get('/api/movies?q=&genre=&yearFrom=');
      assert.equal(empty.status, 200, 'empty parameters count as absent');
    });

    test('bad query parameters get a 400 problem naming the parameter', async () => {
      for (const [query, field] of [
        ['page=0', 'page'],
        ['page=abc', 'page'],
        ['pageSize=101', 'pageSize'],
        ['sort=random', 'sort'],
        ['year=12', 'year'],
        ['yearFrom=2000&yearTo=1990', 'yearFrom'],
      ]) {
        const response = await anonymous.get(`/api/movies?${query}`);
        assert.equal(response.status, 400, query);
        assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
        const problem = response.json as {
          status: number;
          title: string;
          detail: string;
          instance: string;
        };
        assert.equal(problem.status, 400);
        assert.equal(problem.instance, '/api/movies');
        assert.ok(problem.detail.startsWith(`${field}:`), `${query}: ${problem.detail}`);
      }
    });

    test('a movie page: average, histogram, similar movies; 404 and 400 for bad ids', async () => {
      const top = ((await anonymous.get('/api/movies?pageSize=1')).json as Page).items[0];
      const detail = (await anonymous.get(`/api/movies/${top.id}`)).json as Summary & {
        histogram: number[];
        similar: Summary[];
      };
      assert.equal(detail.id, top.id);
      assert.equal(detail.histogram.length, 10, 'one bar per half star');
      assert.equal(
        detail.histogram.reduce((a, b) => a + b, 0),
        detail.ratingsCount,
      );
      // The average is the histogram's exact mean (bar k holds (k + 1) / 2 stars), not rounded.
      const weighted =
        detail.histogram.reduce((sum, n, k) => sum + (n * (k + 1)) / 2, 0) / detail.ratingsCount;
      assert.ok(Math.abs(weighted - detail.averageRating!) < 1e-9);
      assert.ok(detail.similar.length > 0 && detail.similar.every((m) => m.id !== top.id));
      assert.equal((await anonymous.get('/api/movies/99999999')).status, 404);
      assert.equal((await anonymous.get('/api/movies/abc')).status, 400);
      assert.equal((await anonymous.get('/api/movies/-1')).status, 400);
    });

    test('logged in: predictions and your rating appear, and sort=predicted follows the member’s ranking', async () => {
      const { client } = await member(api);
      const top = ((await client.get('/api/movies?pageSize=1')).json as Page).items[0];
      await client.request('PUT', `/api/ratings/${top.id}`, { rating: 2 });
      const detail = (await client.get(`/api/movies/${top.id}`)).json as Summary;
      assert.equal(detail.yourRating, 2);
      assert.ok(
        detail.predictedRating !== null &&
          detail.predictedRating >= 1 &&
          detail.predictedRating <= 5,
      );
      // "For you" is the member's ranking (the ranking model), the same as their top picks.
      const forYou = ((await client.get('/api/movies?sort=predicted&pageSize=30')).json as Page)
        .items;
      assert.ok(forYou.every((m) => m.predictedRating !== null));
      const picks = (
        (await client.get('/api/recommendations?n=10')).json as { items: Summary[] }
      ).items.map((m) => m.id);
      assert.deepEqual(
        forYou
          .filter((m) => m.id !== top.id)
          .slice(0, 10)
          .map((m) => m.id),
        picks,
      );
    });

    test('genres and onboarding picks (popular and diverse, unrated, logged in only)', async () => {
      const genres = (await anonymous.get('/api/genres')).json as string[];
      assert.ok(genres.length > 3);
      assert.deepEqual(
        genres,
        [...genres].sort((a, b) => a.localeCompare(b)),
      );
      assert.equal((await anonymous.get('/api/onboarding/movies')).status, 401);
      const { client } = await member(api);
      const picks = (await client.get('/api/onboarding/movies?n=20')).json as Summary[];
      assert.equal(picks.length, 20);
      assert.equal(new Set(picks.map((m) => m.id)).size, 20);
      assert.ok(new Set(picks.flatMap((m) => m.genres)).size >= 5, 'diverse genres');
      await client.request('PUT', `/api/ratings/${picks[0].id}`, { rating: 5 });
      const again = (await client.get('/api/onboarding/movies?n=20')).json as Summary[];
      assert.ok(!again.some((m) => m.id === picks[0].id), 'rated movies are not offered again');
      assert.equal((await client.get('/api/onboarding/movies?n=0')).status, 400);
    });

    test('unknown routes under /api are 404 problem+json', async () => {
      for (const [method, url] of [
        ['GET', '/api/nothing-here'],
        ['POST', '/api/movies'],
        ['DELETE', '/api/genres'],
      ] as const) {
        const response = await anonymous.request(method, url);
        assert.equal(response.status, 404, `${method} ${url}`);
        assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
      }
    });

    test('security headers: CSP, nosniff, frame protection, no referrer', async () => {
      const response = await anonymous.get('/api/movies');
      const csp = String(response.headers['content-security-policy']);
      assert.match(csp, /default-src 'self'/);
      assert.match(csp, /script-src 'self'/);
      assert.match(csp, /object-src 'none'/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
      assert.equal(response.headers['referrer-policy'], 'no-referrer');
    });

    test('the OpenAPI document lists every route, and Swagger UI is served', async () => {
      const doc = (await anonymous.get('/api/openapi.json')).json as {
        openapi: string;
        paths: Record<string, Record<string, unknown>>;
      };
      assert.match(doc.openapi, /^3\./);
      for (const [path, method] of [
        ['/api/auth/register', 'post'],
        ['/api/auth/login', 'post'],
        ['/api/auth/logout', 'post'],
        ['/api/auth/password-reset', 'post'],
        ['/api/auth/password-reset/confirm', 'post'],
        ['/api/session', 'get'],
        ['/api/movies', 'get'],
        ['/api/movies/{id}', 'get'],
        ['/api/ratings/{movieId}', 'put'],
        ['/api/ratings/{movieId}', 'delete'],
        ['/api/ratings', 'get'],
        ['/api/recommendations', 'get'],
        ['/api/me/privacy', 'get'],
        ['/api/me/privacy', 'patch'],
        ['/api/me/export', 'get'],
        ['/api/me', 'delete'],
        ['/api/boards', 'get'],
        ['/api/threads/{id}/posts', 'post'],
      ]) {
        assert.ok(doc.paths[path]?.[method], `${method.toUpperCase()} ${path}`);
      }
      const docs = await anonymous.get('/api/docs');
      assert.equal(docs.status, 200);
      assert.match(docs.body, /swagger/i);
    });

    test('health check', async () => {
      const response = await anonymous.get('/api/health');
      assert.equal(response.status, 200);
      assert.equal((response.json as { movies: number }).movies, CATALOG.movies);
    });
  });
}
