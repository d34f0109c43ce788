import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ratingIn } from '../../src/services/ratings.ts';
import { describeApi, member, popularMovieIds, type Api } from './harness.ts';

interface Detail {
  ratingsCount: number;
  averageRating: number | null;
  histogram: number[];
  yourRating: number | null;
}

const storedRating = (api: Api, userId: number, movieId: number) =>
  ratingIn(api.db.kysely, userId, movieId);

describeApi('half-star ratings', (api) => {
  test('3.5 is accepted, stored, returned and counted in its own histogram bar', async () => {
    const { client, id } = await member(api);
    const [movieId] = await popularMovieIds(client, 1);
    const before = (await client.get(`/api/movies/${movieId}`)).json as Detail;
    assert.equal(before.histogram.length, 10);

    const put = await client.request('PUT', `/api/ratings/${movieId}`, { rating: 3.5 });
    assert.equal(put.status, 200, put.body);
    assert.equal((put.json as { rating: number }).rating, 3.5);
    assert.equal(await storedRating(api, id, movieId), 3.5);

    const after = (await client.get(`/api/movies/${movieId}`)).json as Detail;
    assert.equal(after.yourRating, 3.5);
    assert.equal(after.ratingsCount, before.ratingsCount + 1);
    assert.deepEqual(
      after.histogram,
      before.histogram.map((count, bar) => (bar === 6 ? count + 1 : count)),
      'bar 6 holds 3.5 stars',
    );
    // The exact mean: the API does not round it (the page rounds it once, to one decimal).
    const sum = after.histogram.reduce((total, count, bar) => total + (count * (bar + 1)) / 2, 0);
    assert.equal(after.averageRating, sum / after.ratingsCount);

    const list = (await client.get('/api/ratings')).json as {
      items: Array<{ id: number; rating: number }>;
    };
    assert.deepEqual(
      list.items.map((item) => [item.id, item.rating]),
      [[movieId, 3.5]],
    );
    // Both ends of the scale.
    for (const rating of [0.5, 5]) {
      const response = await client.request('PUT', `/api/ratings/${movieId}`, { rating });
      assert.equal(response.status, 200);
      assert.equal(await storedRating(api, id, movieId), rating);
    }
  });

  test('a rating off the half-star grid is refused naming the field, and changes nothing', async () => {
    const { client, id } = await member(api);
    const [movieId] = await popularMovieIds(client, 1);
    await client.request('PUT', `/api/ratings/${movieId}`, { rating: 4.5 });
    const before = (await client.get(`/api/movies/${movieId}`)).json as Detail;
    const bodies: unknown[] = [
      { rating: 3.3 },
      { rating: 0 },
      { rating: 5.5 },
      { rating: 0.25 },
      { rating: -0.5 },
      { rating: '4' },
      { rating: NaN }, // JSON.stringify sends null
      { rating: null },
      { rating: [4] },
      {},
      '{"rating":1e999}', // Infinity once parsed
    ];
    for (const body of bodies) {
      const response = await client.request('PUT', `/api/ratings/${movieId}`, body, {
        'content-type': 'application/json',
      });
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.match(
        (response.json as { detail: string }).detail,
        /^rating: /,
        `${JSON.stringify(body)}: ${response.body}`,
      );
    }
    // A literal NaN is not JSON at all.
    const notJson = await client.request('PUT', `/api/ratings/${movieId}`, '{"rating":NaN}', {
      'content-type': 'application/json',
    });
    assert.equal(notJson.status, 400);
    assert.equal(await storedRating(api, id, movieId), 4.5);
    assert.deepEqual((await client.get(`/api/movies/${movieId}`)).json, before);
  });

  test('the error says what a rating is', async () => {
    const { client } = await member(api);
    const [movieId] = await popularMovieIds(client, 1);
    const response = await client.request('PUT', `/api/ratings/${movieId}`, { rating: 3.3 });
    assert.match(
      (response.json as { detail: string }).detail,
      /^rating: must be 0\.5 to 5 in half stars/,
    );
  });
});
