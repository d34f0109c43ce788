import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readMl100k, readMl100kSplit } from '../../src/datasets/ml100k.ts';
import { readMl1m, writeMl1m } from '../../src/datasets/ml1m.ts';
import { ML100K_DIR, tempDir, writeFolder } from '../helpers/files.ts';

const skip = existsSync(ML100K_DIR) ? false : `MovieLens 100K not found at ${ML100K_DIR}`;

test(
  'reads the real MovieLens 100K: 100,000 ratings, 943 users, 1,682 movies',
  { skip },
  async () => {
    const dataset = await readMl100k(ML100K_DIR);
    assert.equal(dataset.ratings.length, 100_000);
    assert.equal(dataset.ratings.userIds.size, 943);
    assert.equal(dataset.ratings.itemIds.size, 1_682);
    assert.equal(dataset.movies.length, 1_682);
    assert.equal(dataset.users.length, 943);
    assert.deepEqual(dataset.movies[0], {
      id: 1,
      title: 'Toy Story',
      year: 1995,
      genres: ['Animation', "Children's", 'Comedy'],
      links: { imdbId: null, tmdbId: null, imdbSearch: 'Toy Story (1995)' },
    });
    // Every u.item row has an IMDb search URL on us.imdb.com, or none.
    const searches = dataset.movies.filter((movie) => movie.links?.imdbSearch);
    assert.ok(searches.length > 1_600, `${searches.length} IMDb links`);
    assert.deepEqual(dataset.users[0], {
      id: 1,
      age: 24,
      gender: 'M',
      occupation: 17,
      zip: '85711',
    });
    const sum = dataset.ratings.rating.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum / 100_000 - 3.52986) < 1e-4, `mean rating ${sum / 100_000}`);
  },
);

test('reads an official split with one index over both files', { skip }, async () => {
  const { train, test: held } = await readMl100kSplit(ML100K_DIR, 'u1');
  assert.equal(train.length, 80_000);
  assert.equal(held.length, 20_000);
  assert.equal(train.userIds, held.userIds);
  assert.equal(train.itemIds, held.itemIds);
});

test('rejects an unknown split name', async () => {
  await assert.rejects(readMl100kSplit('/nowhere', 'u9'), /unknown ML-100K split "u9"/);
});

test('reads ISO-8859-1 titles and maps occupations to ML-1M codes', async () => {
  const flags = (genre: number) =>
    Array.from({ length: 19 }, (_, g) => (g === genre ? '1' : '0')).join('|');
  const dir = writeFolder({
    'u.item': `1|Café (1995)|01-Jan-1995||http://x|${flags(5)}\n`,
    'u.user': '7|31|F|librarian|55414\n',
    'u.data': '7\t1\t4\t881250949\n',
  });
  const dataset = await readMl100k(dir);
  assert.equal(dataset.movies[0].title, 'Café');
  assert.deepEqual(dataset.movies[0].genres, ['Comedy']);
  assert.deepEqual(dataset.users[0], { id: 7, age: 31, gender: 'F', occupation: 1, zip: '55414' });
});

test('the "unknown" genre flag means no genre, so ML-100K written as ML-1M reads back', async () => {
  const flags = (genre: number) =>
    Array.from({ length: 19 }, (_, g) => (g === genre ? '1' : '0')).join('|');
  const dir = writeFolder({
    'u.item': `267|unknown||||${flags(0)}\n268|Chasing Amy (1997)|||x|${flags(8)}\n`,
    'u.user': '7|31|F|other|55414\n',
    'u.data': '7\t267\t4\t881250949\n7\t268\t5\t881250950\n',
  });
  const dataset = await readMl100k(dir);
  assert.deepEqual(
    dataset.movies.map((movie) => movie.genres),
    [[], ['Drama']],
  );
  const out = join(tempDir(), 'release');
  writeMl1m(dataset, out);
  const back = await readMl1m(out);
  assert.deepEqual(
    back.movies.map(({ id, title, genres }) => ({ id, title, genres })),
    [
      { id: 267, title: 'unknown', genres: [] },
      { id: 268, title: 'Chasing Amy', genres: ['Drama'] },
    ],
  );
  assert.deepEqual(Array.from(back.ratings.rating), [4, 5]);
});

test('names the file and line of a bad u.data line', async () => {
  const flags = Array.from({ length: 19 }, () => '0').join('|');
  const dir = writeFolder({
    'u.item': `1|A (1995)|||x|${flags}\n`,
    'u.user': '7|31|F|other|55414\n',
    'u.data': '7\t1\t4\t881250949\n7 1 4 881250949\n',
  });
  await assert.rejects(
    readMl100k(dir),
    /^DatasetError: u\.data:2: expected 4 fields .* separated by tab, found 1$/,
  );
});
