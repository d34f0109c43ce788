import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IdIndex } from '../../src/datasets/dataset.ts';
import { generateSynthetic } from '../../src/datasets/synthetic.ts';
import { fitAlgorithm } from '../../src/recsys/index.ts';
import { databaseOrigin, publishModel } from '../../src/services/models.ts';
import { testDatabases } from '../helpers/databases.ts';
import { tempDir } from '../helpers/files.ts';
import { CATALOG, Client, describeApi, member, popularMovieIds, startApi } from './harness.ts';

interface Rated {
  id: number;
  rating: number;
  ratedAt: string;
  yourRating: number | null;
}
interface Recommendation {
  id: number;
  title: string;
  predictedRating: number;
  yourRating: number | null;
  reason: { becauseYouRated: Array<{ id: number; title: string; yourRating: number }> } | null;
}

describeApi('ratings and recommendations API', (api) => {
  test('PUT, GET and DELETE a rating; the movie statistics follow', async () => {
    const { client, id } = await member(api);
    const [movieId] = await popularMovieIds(client, 1);
    const before = (await client.get(`/api/movies/${movieId}`)).json as {
      ratingsCount: number;
      histogram: number[];
    };
    const put = await client.request('PUT', `/api/ratings/${movieId}`, { rating: 4 });
    assert.equal(put.status, 200);
    assert.equal((put.json as { rating: number }).rating, 4);
    assert.ok(!Number.isNaN(Date.parse((put.json as { ratedAt: string }).ratedAt)));
    const stored = await api.db.kysely
      .selectFrom('ratings')
      .selectAll()
      .where('user_id', '=', id)
      .execute();
    assert.deepEqual(
      stored.map((r) => [r.movie_id, Number(r.rating)]),
      [[movieId, 4]],
    );
    const during = (await client.get(`/api/movies/${movieId}`)).json as {
      ratingsCount: number;
      histogram: number[];
      yourRating: number;
    };
    assert.equal(during.ratingsCount, before.ratingsCount + 1);
    assert.equal(during.histogram[7], before.histogram[7] + 1, 'the 4-star bar');
    assert.equal(during.yourRating, 4);
    await client.request('PUT', `/api/ratings/${movieId}`, { rating: 1 });
    const list = (await client.get('/api/ratings')).json as { items: Rated[]; total: number };
    assert.equal(list.total, 1);
    assert.equal(list.items[0].id, movieId);
    assert.equal(list.items[0].rating, 1);
    assert.equal(list.items[0].yourRating, 1);
    assert.equal((await client.request('DELETE', `/api/ratings/${movieId}`)).status, 204);
    assert.equal((await client.request('DELETE', `/api/ratings/${movieId}`)).status, 404);
    assert.equal(((await client.get('/api/ratings')).json as { total: number }).total, 0);
    const afterwards = (await client.get(`/api/movies/${movieId}`)).json as {
      ratingsCount: number;
      histogram: number[];
    };
    assert.deepEqual(afterwards.histogram, before.histogram);
  });

  test('invalid ratings are refused with 400 and change nothing', async () => {
    const { client } = await member(api);
    const [movieId] = await popularMovieIds(client, 1);
    await client.request('PUT', `/api/ratings/${movieId}`, { rating: 3 });
    for (const body of [
      { rating: 0 },
      { rating: 6 },
      { rating: 3.3 },
      { rating: '4' },
      {},
      { rating: null },
    ]) {
      const response = await client.request('PUT', `/api/ratings/${movieId}`, body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.match((response.json as { detail: string }).detail, /^rating:/);
    }
    assert.equal((await client.request('PUT', '/api/ratings/abc', { rating: 3 })).status, 400);
    assert.equal((await client.request('PUT', '/api/ratings/99999999', { rating: 3 })).status, 404);
    const list = (await client.get('/api/ratings')).json as { items: Rated[] };
    assert.deepEqual(
      list.items.map((r) => [r.id, r.rating]),
      [[movieId, 3]],
    );
  });

  test('logged out: 401 for ratings and recommendations', async () => {
    const anonymous = new Client(api.app);
    assert.equal((await anonymous.get('/api/ratings')).status, 401);
    assert.equal((await anonymous.get('/api/recommendations')).status, 401);
    assert.equal((await anonymous.request('PUT', '/api/ratings/1', { rating: 3 })).status, 401);
    assert.equal((await anonymous.request('DELETE', '/api/ratings/1')).status, 401);
  });

  test('recommendations: predicted ratings, reasons, nothing already rated, and a new rating changes them', async () => {
    const { client } = await member(api);
    const movies = await popularMovieIds(client, 40);
    for (const [k, movieId] of movies.slice(0, 15).entries()) {
      await client.request('PUT', `/api/ratings/${movieId}`, { rating: k % 2 === 0 ? 5 : 2 });
    }
    const first = (await client.get('/api/recommendations?n=20')).json as {
      items: Recommendation[];
      model: { algorithm: string; version: string };
    };
    assert.equal(first.items.length, 20);
    // The harness publishes no model, so the server fitted its configured algorithm at start.
    assert.deepEqual(first.model, api.app.services.recommender.modelInfo);
    assert.equal(first.model.algorithm, 'svd');
    assert.match(first.model.version, /^fitted-\d{4}-\d{2}-\d{2}T/);
    const rated = new Set(movies.slice(0, 15));
    for (const item of first.items) {
      assert.ok(!rated.has(item.id), 'rated movies are not recommended');
      assert.ok(item.predictedRating >= 1 && item.predictedRating <= 5);
      assert.equal(item.yourRating, null);
    }
    // Ranked by the ranking model (top-picks), not by the predicted stars.
    assert.equal(
      (first as unknown as { ranking: { algorithm: string } }).ranking.algorithm,
      'top-picks',
    );
    const reasons = first.items.filter((item) => item.reason !== null);
    assert.ok(reasons.length > 0, 'some recommendations say why');
    for (const item of reasons) {
      for (const because of item.reason!.becauseYouRated)
        assert.ok(rated.has(because.id) && because.yourRating >= 1);
    }
    // Rate the top recommendation badly: it leaves the list and the list changes (fold-in, no retraining).
    await client.request('PUT', `/api/ratings/${first.items[0].id}`, { rating: 1 });
    const second = (await client.get('/api/recommendations?n=20')).json as {
      items: Recommendation[];
    };
    assert.ok(!second.items.some((item) => item.id === first.items[0].id));
    assert.notDeepEqual(
      second.items.map((i) => [i.id, i.predictedRating]),
      first.items.map((i) => [i.id, i.predictedRating]),
    );
    const session = (await client.get('/api/session')).json as {
      member: { onboarded: boolean; ratingsCount: number };
    };
    assert.equal(session.member.ratingsCount, 16);
    assert.equal(session.member.onboarded, true);
  });

  test('the served list is kept but follows every change: own ratings, others’ ratings of its movies, removals', async () => {
    const alice = await member(api);
    const bob = await member(api);
    const movies = await popularMovieIds(alice.client, 30);
    for (const [k, movieId] of movies.slice(0, 12).entries()) {
      await alice.client.request('PUT', `/api/ratings/${movieId}`, {
        rating: k % 3 === 0 ? 2 : 5,
      });
    }
    const list = async (n = 20) => {
      const response = await alice.client.get(`/api/recommendations?n=${n}`);
      assert.equal(response.status, 200);
      assert.match(String(response.headers['content-type']), /^application\/json/);
      return response.json as {
        items: Array<Recommendation & { ratingsCount: number; averageRating: number | null }>;
      };
    };
    const first = await list();
    assert.deepEqual(await list(), first, 'nothing changed: the same list');
    // Another size is its own list, the head of the same ranking.
    assert.deepEqual(
      (await list(5)).items.map((item) => item.id),
      first.items.slice(0, 5).map((item) => item.id),
    );

    // Bob rates a listed movie: Alice's next list shows its new statistics.
    const listed = first.items[3];
    await bob.client.request('PUT', `/api/ratings/${listed.id}`, { rating: 1 });
    const page = (await alice.client.get(`/api/movies/${listed.id}`)).json as {
      ratingsCount: number;
      averageRating: number;
    };
    assert.equal(page.ratingsCount, listed.ratingsCount + 1);
    const afterBob = (await list()).items.find((item) => item.id === listed.id)!;
    assert.equal(afterBob.ratingsCount, page.ratingsCount);
    assert.equal(afterBob.averageRating, page.averageRating);

    // Alice removes a rating that explains her list: it is no longer cited, and the list changes.
    const cited = first.items.find((item) => item.reason !== null)!.reason!.becauseYouRated[0].id;
    assert.equal((await alice.client.request('DELETE', `/api/ratings/${cited}`)).status, 204);
    const afterRemoval = await list();
    for (const item of afterRemoval.items)
      for (const because of item.reason?.becauseYouRated ?? []) assert.notEqual(because.id, cited);
    assert.notDeepEqual(
      afterRemoval.items.map((i) => [i.id, i.predictedRating]),
      first.items.map((i) => [i.id, i.predictedRating]),
    );
  });

  test('a page kept for a member is dropped when they rate, and a page built before is not kept', async () => {
    const { client, id } = await member(api);
    const [movieId, other] = await popularMovieIds(client, 2);
    const recommender = api.app.services.recommender;
    const version = await recommender.memberVersion(id);
    recommender.cachePage(id, 'page', version, 'built from the first state');
    assert.equal(recommender.cachedPage(id, 'page', version), 'built from the first state');
    await client.request('PUT', `/api/ratings/${movieId}`, { rating: 4 });
    const next = await recommender.memberVersion(id);
    assert.notEqual(next, version);
    assert.equal(recommender.cachedPage(id, 'page', version), undefined);
    assert.equal(recommender.cachedPage(id, 'page', next), undefined);
    // A page whose building began before the rating arrived is refused.
    recommender.cachePage(id, 'page', version, 'stale');
    assert.equal(recommender.cachedPage(id, 'page', next), undefined);
    recommender.cachePage(id, 'page', next, 'fresh');
    assert.equal(recommender.cachedPage(id, 'page', next), 'fresh');
    await client.request('DELETE', `/api/ratings/${other}`);
    assert.equal(recommender.cachedPage(id, 'page', next), 'fresh', 'nothing was removed');
    await client.request('DELETE', `/api/ratings/${movieId}`);
    assert.equal(recommender.cachedPage(id, 'page', next), undefined);
  });

  test('recommendations by genre, and n is validated', async () => {
    const { client } = await member(api);
    const genres = (await client.get('/api/genres')).json as string[];
    const genre = genres[0];
    const response = (
      await client.get(`/api/recommendations?n=5&genre=${encodeURIComponent(genre)}`)
    ).json as { items: Array<Recommendation & { genres: string[] }> };
    assert.ok(
      response.items.length > 0 && response.items.every((item) => item.genres.includes(genre)),
    );
    for (const n of ['0', '101', 'x', '2.5'])
      assert.equal((await client.get(`/api/recommendations?n=${n}`)).status, 400, n);
    assert.equal(
      ((await client.get('/api/recommendations')).json as { items: unknown[] }).items.length,
      20,
    );
  });

  test("a member cannot see or change another member's ratings", async () => {
    const alice = await member(api);
    const bob = await member(api);
    const [movieId] = await popularMovieIds(alice.client, 1);
    await alice.client.request('PUT', `/api/ratings/${movieId}`, { rating: 5 });
    assert.equal(((await bob.client.get('/api/ratings')).json as { total: number }).total, 0);
    assert.equal(
      ((await bob.client.get(`/api/movies/${movieId}`)).json as { yourRating: number | null })
        .yourRating,
      null,
    );
    assert.equal((await bob.client.request('DELETE', `/api/ratings/${movieId}`)).status, 404);
    // Bob's token does not work with Alice's cookie.
    const mixed = await alice.client.request(
      'PUT',
      `/api/ratings/${movieId}`,
      { rating: 1 },
      { 'x-csrf-token': bob.client.csrfToken! },
    );
    assert.equal(mixed.status, 403);
    const list = (await alice.client.get('/api/ratings')).json as { items: Rated[] };
    assert.deepEqual(
      list.items.map((r) => r.rating),
      [5],
    );
  });
});

describe('the live model', () => {
  const database = testDatabases[0];

  test('the newest published model is served, and one trained on other data is ignored', async () => {
    const modelsDir = tempDir('lenslab-models-');
    const api = await startApi(database, {
      recommenderOptions: { modelsDir, watchIntervalMs: 0, algorithm: 'svd' },
    });
    try {
      const metadata = {
        ...(await databaseOrigin(api.db)),
        snapshotTime: new Date().toISOString(),
        trainedAt: new Date().toISOString(),
        ratings: 0,
        users: 0,
        items: 0,
        seed: 1,
        metrics: {},
        metricsProtocol: null,
      };
      const same = generateSynthetic(CATALOG);
      const published = publishModel(
        fitAlgorithm('bias', same.ratings, {}, { seed: 1 }),
        metadata,
        modelsDir,
      );
      api.app.services.recommender.loadNewest();
      const { client } = await member(api);
      const response = (await client.get('/api/recommendations?n=3')).json as {
        model: { algorithm: string; version: string };
        items: unknown[];
      };
      assert.equal(response.model.algorithm, 'bias');
      assert.ok(published.endsWith(`${response.model.version}.lensmodel`));
      assert.equal(response.items.length, 3);
      // A newer model of this database whose movie ids are not this catalog's is not used.
      const other = generateSynthetic({ users: 30, movies: 50, ratings: 600, seed: 3 });
      const shifted = {
        ...other.ratings,
        itemIds: new IdIndex(other.ratings.itemIds.ids.map((id) => id + 1_000_000)),
      };
      publishModel(
        fitAlgorithm('popular', shifted, {}, { seed: 1 }),
        metadata,
        modelsDir,
        new Date(Date.now() + 60_000),
      );
      api.app.services.recommender.loadNewest();
      const after = (await client.get('/api/recommendations?n=3')).json as {
        model: { algorithm: string };
      };
      assert.equal(after.model.algorithm, 'bias');
    } finally {
      await api.close();
    }
  });
});
