import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateSynthetic } from '../../src/datasets/synthetic.ts';
import { fitAlgorithm } from '../../src/recsys/index.ts';
import { databaseOrigin, publishModel } from '../../src/services/models.ts';
import { RECOMMENDER_CHOICES } from '../../src/services/recommenderChoices.ts';
import { grantRole } from '../../src/services/roles.ts';
import { tempDir } from '../helpers/files.ts';
import { CATALOG, Client, describeApi, member, popularMovieIds, type Api } from './harness.ts';

interface Item {
  id: number;
  genres: string[];
  ratingsCount: number;
  predictedRating: number;
}
interface List {
  items: Item[];
  model: { algorithm: string; version: string };
  ranking: { algorithm: string; version: string };
  choice: string;
}
interface Home {
  topPicks: Item[];
  shelves: Array<{ genre: string; items: Item[] }>;
  ranking: { algorithm: string };
  choice: string;
}

/** A member with 15 ratings of popular movies, alternating loved and disliked. */
async function ratedMember(api: Api) {
  const account = await member(api);
  const movies = await popularMovieIds(account.client, 30);
  for (const [k, movieId] of movies.slice(0, 15).entries())
    await account.client.request('PUT', `/api/ratings/${movieId}`, { rating: k % 2 ? 2 : 5 });
  return { ...account, rated: new Set(movies.slice(0, 15)) };
}

async function choiceEvents(api: Api, memberId: number) {
  await api.app.services.research.events.flush();
  const rows = await api.db.kysely
    .selectFrom('events')
    .select(['user_id', 'payload'])
    .where('kind', '=', 'recommender_chosen')
    .where('user_id', '=', memberId)
    .orderBy('id')
    .execute();
  return rows.map((row) => JSON.parse(row.payload) as { choice: string; previousChoice: string });
}

const modelsDir = tempDir('lenslab-models-');

describeApi(
  'lists from the ranking model, stars from the rating model, the recommender choice',
  (api) => {
    test('fitted on start: top-picks ranks the lists, svd predicts every star shown', async () => {
      const { client } = await ratedMember(api);
      const list = (await client.get('/api/recommendations?n=20')).json as List;
      assert.equal(list.ranking.algorithm, 'top-picks');
      assert.equal(list.model.algorithm, 'svd');
      assert.equal(list.choice, 'for-you');
      assert.equal(list.items.length, 20);
      // The stars are the rating model's: the movie page (rating model) shows the same.
      for (const item of list.items.slice(0, 5)) {
        const page = (await client.get(`/api/movies/${item.id}`)).json as Item;
        assert.equal(page.predictedRating, item.predictedRating);
      }
      // Explore sorted "for you" follows the same ranking.
      const explore = (await client.get('/api/movies?sort=predicted&pageSize=60')).json as {
        items: Array<Item & { yourRating: number | null }>;
      };
      const unrated = explore.items.filter((item) => item.yourRating === null).map((i) => i.id);
      assert.deepEqual(
        unrated.slice(0, 10),
        list.items.slice(0, 10).map((i) => i.id),
      );
    });

    test('a published ranking model orders the lists while the stars stay the rating model’s', async () => {
      const { client, rated } = await ratedMember(api);
      const before = (await client.get('/api/recommendations?n=10')).json as List;
      // `popular` ranks by rating count: the list must come out in that order.
      const dataset = generateSynthetic(CATALOG);
      publishModel(
        fitAlgorithm('popular', dataset.ratings, {}, { seed: 1 }),
        {
          ...(await databaseOrigin(api.db)),
          snapshotTime: new Date().toISOString(),
          trainedAt: new Date().toISOString(),
          ratings: dataset.ratings.length,
          users: dataset.ratings.userIds.size,
          items: dataset.ratings.itemIds.size,
          seed: 1,
          metrics: {},
          metricsProtocol: null,
        },
        modelsDir,
      );
      try {
        assert.ok(api.app.services.recommender.loadNewest());
        const list = (await client.get('/api/recommendations?n=10')).json as List;
        assert.equal(list.ranking.algorithm, 'popular');
        assert.deepEqual(list.model, before.model, 'the rating model is unchanged');
        // In the order of the model's training counts (the catalog's also count test members).
        const trained = new Map<number, number>();
        for (let r = 0; r < dataset.ratings.length; r++) {
          const id = dataset.ratings.itemIds.ids[dataset.ratings.itemIndex[r]];
          trained.set(id, (trained.get(id) ?? 0) + 1);
        }
        const expected = [...trained.keys()]
          .filter((id) => !rated.has(id))
          .sort((a, b) => trained.get(b)! - trained.get(a)! || a - b);
        assert.deepEqual(
          list.items.map((item) => trained.get(item.id)),
          expected.slice(0, 10).map((id) => trained.get(id)),
        );
        for (const item of list.items.slice(0, 3)) {
          const page = (await client.get(`/api/movies/${item.id}`)).json as Item;
          assert.equal(page.predictedRating, item.predictedRating);
        }
      } finally {
        // Back to a top-picks ranking model for the other tests.
        api.app.services.recommender.use(
          fitAlgorithm('top-picks', dataset.ratings, {}, { seed: 1 }),
          { algorithm: 'top-picks', version: 'test' },
        );
      }
    });

    test('the home page: no shelf repeats a movie shown above it, each shelf holds its genre', async () => {
      const { client, rated } = await ratedMember(api);
      const home = (await client.get('/api/recommendations/home')).json as Home;
      assert.equal(home.topPicks.length, 20);
      assert.ok(home.shelves.length > 0);
      const seen = new Set<number>();
      for (const list of [home.topPicks, ...home.shelves.map((shelf) => shelf.items)]) {
        for (const item of list) {
          assert.ok(!seen.has(item.id), `movie ${item.id} is shown twice`);
          assert.ok(!rated.has(item.id));
          seen.add(item.id);
        }
      }
      for (const shelf of home.shelves)
        for (const item of shelf.items) assert.ok(item.genres.includes(shelf.genre));
    });

    test('choosing a recommender: remembered, changes the lists, logged with each switch', async () => {
      const { client, id } = await ratedMember(api);
      const initial = (await client.get('/api/recommendations/choice')).json as {
        choice: string;
        choices: Array<{ name: string; label: string }>;
      };
      assert.equal(initial.choice, 'for-you');
      assert.deepEqual(
        initial.choices.map((c) => c.name),
        [...RECOMMENDER_CHOICES],
      );
      const forYou = (await client.get('/api/recommendations?n=20')).json as List;

      const chosen = await client.request('PUT', '/api/recommendations/choice', {
        choice: 'hidden-gems',
      });
      assert.equal(chosen.status, 200);
      const gems = (await client.get('/api/recommendations?n=20')).json as List;
      assert.equal(gems.choice, 'hidden-gems');
      // Hidden gems leave out the most rated tenth of the catalog.
      const counts = (
        (await client.get(`/api/movies?sort=popularity&pageSize=100`)).json as {
          items: Item[];
        }
      ).items.map((item) => item.ratingsCount);
      const ceiling = counts[Math.floor(CATALOG.movies * 0.1) - 1];
      assert.ok(gems.items.every((item) => item.ratingsCount <= ceiling));
      assert.notDeepEqual(
        gems.items.map((i) => i.id),
        forYou.items.map((i) => i.id),
      );

      await client.request('PUT', '/api/recommendations/choice', { choice: 'popular' });
      // Remembered in the database: a recommender that forgot the member reads it again.
      api.app.services.recommender.forget(id);
      const after = (await client.get('/api/recommendations/choice')).json as { choice: string };
      assert.equal(after.choice, 'popular');
      assert.deepEqual(await choiceEvents(api, id), [
        { choice: 'hidden-gems', previousChoice: 'for-you' },
        { choice: 'popular', previousChoice: 'hidden-gems' },
      ]);
      const exported = (await client.get('/api/me/export')).json as {
        recommenderChoice: { choice: string } | null;
      };
      assert.equal(exported.recommenderChoice?.choice, 'popular');
    });

    test('a choice not offered is refused with a 400 naming the field, and nothing changes', async () => {
      const { client, id } = await ratedMember(api);
      await client.request('PUT', '/api/recommendations/choice', {
        choice: 'like-your-favourites',
      });
      for (const body of [{ choice: 'svd' }, { choice: '' }, { choice: 3 }, {}]) {
        const response = await client.request('PUT', '/api/recommendations/choice', body);
        assert.equal(response.status, 400, JSON.stringify(body));
        const problem = response.json as { detail: string };
        assert.ok(problem.detail.startsWith('choice'), problem.detail);
      }
      const after = (await client.get('/api/recommendations/choice')).json as { choice: string };
      assert.equal(after.choice, 'like-your-favourites');
      assert.equal((await choiceEvents(api, id)).length, 1);
    });

    test('the console breaks outcomes down by the chosen recommender; members may not see it', async () => {
      const { client } = await ratedMember(api);
      await client.request('PUT', '/api/recommendations/choice', { choice: 'hidden-gems' });
      await client.get('/api/recommendations?n=10');
      await client.request('PUT', '/api/recommendations/choice', { choice: 'hidden-gems' });
      assert.equal((await client.get('/api/console/recommender-choices')).status, 403);
      const researcher = await member(api);
      await grantRole(api.db, researcher.id, 'researcher');
      await api.app.services.research.events.flush();
      const response = await researcher.client.get('/api/console/recommender-choices');
      assert.equal(response.status, 200);
      const results = response.json as {
        variants: Array<{
          variant: string;
          exposed: number;
          clickThrough: { impressions: number };
        }>;
        choices: number;
        switches: number;
      };
      assert.deepEqual(
        results.variants.map((v) => v.variant),
        [...RECOMMENDER_CHOICES],
      );
      const gems = results.variants.find((v) => v.variant === 'hidden-gems')!;
      assert.ok(gems.exposed >= 1);
      assert.ok(gems.clickThrough.impressions >= 10);
      assert.ok(results.choices > results.switches, 'choosing the same again is no switch');
    });

    test('non-members get 401; deleting the account removes the choice', async () => {
      const anonymous = new Client(api.app);
      assert.equal((await anonymous.get('/api/recommendations/choice')).status, 401);
      assert.equal((await anonymous.get('/api/recommendations/home')).status, 401);
      const put = await anonymous.request('PUT', '/api/recommendations/choice', {
        choice: 'popular',
      });
      assert.ok(put.status === 401 || put.status === 403, String(put.status));
      const { client, id } = await ratedMember(api);
      await client.request('PUT', '/api/recommendations/choice', { choice: 'popular' });
      const deleted = await client.request('DELETE', '/api/me', {
        password: 'correct horse battery',
      });
      assert.equal(deleted.status, 204);
      const rows = await api.db.kysely
        .selectFrom('recommender_choices')
        .selectAll()
        .where('user_id', '=', id)
        .execute();
      assert.equal(rows.length, 0);
    });
  },
  {
    recommenderOptions: { modelsDir, watchIntervalMs: 0, algorithm: 'svd' },
  },
);
