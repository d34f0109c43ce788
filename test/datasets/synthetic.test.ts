import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ML1M_AGE_BUCKETS, ML1M_GENRES } from '../../src/datasets/dataset.ts';
import { readMl1m, writeMl1m } from '../../src/datasets/ml1m.ts';
import { generateSynthetic } from '../../src/datasets/synthetic.ts';
import { writeSyntheticMl1m } from '../../src/datasets/syntheticWriter.ts';
import { Random } from '../../src/util/random.ts';
import { tempDir } from '../helpers/files.ts';

const OPTIONS = { users: 300, movies: 800, ratings: 30_000, seed: 5 };
const dataset = generateSynthetic(OPTIONS);

test('same seed, same bytes; another seed, other bytes', () => {
  const [a, b, c] = [tempDir(), tempDir(), tempDir()];
  writeMl1m(dataset, a);
  writeMl1m(generateSynthetic(OPTIONS), b);
  writeMl1m(generateSynthetic({ ...OPTIONS, seed: 6 }), c);
  for (const name of ['ratings.dat', 'users.dat', 'movies.dat']) {
    assert.deepEqual(readFileSync(join(a, name)), readFileSync(join(b, name)), name);
    assert.notDeepEqual(readFileSync(join(a, name)), readFileSync(join(c, name)), name);
  }
});

test('the streaming writer (lenslab generate) writes the same bytes, and reports progress over both passes', () => {
  const [held, streamed] = [tempDir(), tempDir()];
  writeMl1m(dataset, held);
  const seen: number[] = [];
  writeSyntheticMl1m(OPTIONS, streamed, (done, total) => {
    assert.equal(total, 2 * OPTIONS.ratings);
    seen.push(done);
  });
  for (const name of ['ratings.dat', 'users.dat', 'movies.dat'])
    assert.deepEqual(readFileSync(join(streamed, name)), readFileSync(join(held, name)), name);
  assert.equal(seen.at(-1), 2 * OPTIONS.ratings);
  assert.ok(seen.every((done, k) => k === 0 || done >= seen[k - 1]));
});

test('has exactly the requested size, every user with at least 20 ratings', () => {
  assert.equal(dataset.ratings.length, OPTIONS.ratings);
  assert.equal(dataset.ratings.userIds.size, OPTIONS.users);
  assert.equal(dataset.movies.length, OPTIONS.movies);
  const perUser = new Int32Array(OPTIONS.users);
  for (const u of dataset.ratings.userIndex) perUser[u]++;
  assert.ok(Math.min(...perUser) >= 20);
});

test('follows the ML-1M rating distribution: 4 most common, 1 rarest', () => {
  const counts = [0, 0, 0, 0, 0];
  for (const r of dataset.ratings.rating) counts[r - 1]++;
  const order = [0, 1, 2, 3, 4].sort((x, y) => counts[y] - counts[x]);
  assert.equal(order[0], 3);
  assert.equal(order[4], 0);
  assert.ok(Math.abs(counts[3] / OPTIONS.ratings - 0.349) < 0.01);
});

test('has long-tailed popularity', () => {
  const perItem = new Int32Array(dataset.ratings.itemIds.size);
  for (const i of dataset.ratings.itemIndex) perItem[i]++;
  const sorted = [...perItem].sort((a, b) => b - a);
  const top10 = sorted.slice(0, Math.ceil(sorted.length / 10)).reduce((a, b) => a + b, 0);
  assert.ok(
    top10 / OPTIONS.ratings > 0.3,
    `top 10% of movies hold ${top10 / OPTIONS.ratings} of ratings`,
  );
});

test('gives collaborative filtering signal: user and item means beat the global mean', () => {
  const random = new Random(1);
  const { ratings } = dataset;
  const isTest = Array.from({ length: ratings.length }, () => random.next() < 0.1);
  const sums = (index: Int32Array, size: number) => {
    const sum = new Float64Array(size);
    const count = new Float64Array(size);
    for (let r = 0; r < ratings.length; r++) {
      if (isTest[r]) continue;
      sum[index[r]] += ratings.rating[r];
      count[index[r]]++;
    }
    return { sum, count };
  };
  let globalSum = 0;
  let globalCount = 0;
  for (let r = 0; r < ratings.length; r++) {
    if (isTest[r]) continue;
    globalSum += ratings.rating[r];
    globalCount++;
  }
  const mu = globalSum / globalCount;
  const users = sums(ratings.userIndex, ratings.userIds.size);
  const items = sums(ratings.itemIndex, ratings.itemIds.size);
  let errorGlobal = 0;
  let errorBias = 0;
  let n = 0;
  for (let r = 0; r < ratings.length; r++) {
    if (!isTest[r]) continue;
    const u = ratings.userIndex[r];
    const i = ratings.itemIndex[r];
    const userOffset = (users.sum[u] - users.count[u] * mu) / (users.count[u] + 5);
    const itemOffset = (items.sum[i] - items.count[i] * mu) / (items.count[i] + 5);
    errorGlobal += (ratings.rating[r] - mu) ** 2;
    errorBias += (ratings.rating[r] - mu - userOffset - itemOffset) ** 2;
    n++;
  }
  const [rmseGlobal, rmseBias] = [Math.sqrt(errorGlobal / n), Math.sqrt(errorBias / n)];
  assert.ok(rmseBias < 0.93 * rmseGlobal, `bias RMSE ${rmseBias} vs global ${rmseGlobal}`);
});

test('has plausible demographics, genres, titles and timestamps', async () => {
  const buckets = new Set<number>(ML1M_AGE_BUCKETS);
  for (const user of dataset.users) {
    assert.ok(user.gender === 'M' || user.gender === 'F');
    assert.ok(buckets.has(user.age!));
    assert.ok(user.occupation! >= 0 && user.occupation! <= 20);
    assert.match(user.zip!, /^\d{5}$/);
  }
  const genres = new Set<string>(ML1M_GENRES);
  for (const movie of dataset.movies) {
    assert.ok(movie.genres.length >= 1 && movie.genres.every((g) => genres.has(g)));
    assert.ok(movie.year! >= 1919 && movie.year! <= 2000);
    assert.ok(movie.title.length > 0 && !movie.title.includes('::'));
  }
  const times = [...dataset.ratings.timestamp];
  const years = (Math.max(...times) - Math.min(...times)) / (365 * 86400);
  assert.ok(years > 1.5, `timestamps span ${years} years`);
  // And the files read back as the same data.
  const dir = tempDir();
  writeMl1m(dataset, dir);
  const back = await readMl1m(dir);
  assert.equal(back.ratings.length, OPTIONS.ratings);
  assert.deepEqual(back.users, dataset.users);
});

test('refuses impossible sizes with the option named', () => {
  assert.throws(
    () => generateSynthetic({ users: 10, movies: 100, ratings: 100, seed: 1 }),
    /--ratings must be at least 20 per user/,
  );
  assert.throws(
    () => generateSynthetic({ users: 10, movies: 10, ratings: 200, seed: 1 }),
    /--movies must be at least 40/,
  );
});

/** "+s" plurals the old title generator made, and the forms "+s" would make of other nouns. */
const MISSPELLED_PLURAL =
  /\b(Circuss|Diarys|Citys|Witnesss|Thiefs|Wolfs|Knifes|Wifes|Lifes|Leafs|Childs|Mans|Womans|Mouses|Gooses|Gentlemans|Fishermans|Crisiss|Oasiss|\w+(sss|uss|[^aeiou\W]ys|xs|chs|shs|zs))\b/;

function checkTitles(titles: string[], maxPerPrefix: number, label: string): void {
  assert.equal(new Set(titles).size, titles.length, `${label}: titles are unique`);
  const prefixes = new Map<string, number>();
  for (const title of titles) {
    assert.doesNotMatch(title, MISSPELLED_PLURAL, `${label}: "${title}" has a misspelled plural`);
    assert.ok(
      [...title].every((c) => c.codePointAt(0)! <= 0xff),
      `"${title}" is ISO-8859-1`,
    );
    const prefix = title.toLowerCase().replace(/[,:]/g, '').split(' ').slice(0, 2).join(' ');
    prefixes.set(prefix, (prefixes.get(prefix) ?? 0) + 1);
  }
  const [prefix, count] = [...prefixes].sort((a, b) => b[1] - a[1])[0];
  assert.ok(count <= maxPerPrefix, `${label}: ${count} titles begin "${prefix}"`);
}

test('invents well-formed, varied, unique titles (issue 16)', () => {
  // The demo catalog's size (src/services/demo.ts), with its seed and two others.
  for (const seed of [20261125, 1, 2]) {
    const { movies } = generateSynthetic({ users: 1, movies: 3000, ratings: 20, seed });
    checkTitles(
      movies.map((movie) => movie.title),
      8,
      `seed ${seed}`,
    );
  }
  const { movies } = generateSynthetic({ users: 1, movies: 100_000, ratings: 20, seed: 3 });
  checkTitles(
    movies.map((movie) => movie.title),
    200,
    '100,000 movies',
  );
});
