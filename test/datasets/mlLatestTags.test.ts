import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readMl1m, writeMl1m } from '../../src/datasets/ml1m.ts';
import { readMlLatest } from '../../src/datasets/mlLatest.ts';
import { writeMlLatest } from '../../src/datasets/mlLatestWriter.ts';
import { tempDir, writeFolder } from '../helpers/files.ts';

const MOVIES = 'movieId,title,genres\n1,Toy Story (1995),Comedy\n2,Heat (1995),Action\n';
const RATINGS = 'userId,movieId,rating,timestamp\n1,1,4.0,964982703\n2,2,3.0,964981247\n';
const TAGS = [
  'userId,movieId,tag,timestamp',
  '2,2,"heist, LA",1445714994',
  '1,1,"Pixar ""classic""",1445714996',
  '1,1,funny,1445714995',
  '7,2,Al Pacino,1445715000',
  '',
].join('\n');

test('tags.csv: quoted tags with commas and quotes survive a read–write–read round trip', async () => {
  const dataset = await readMlLatest(
    writeFolder({ 'movies.csv': MOVIES, 'ratings.csv': RATINGS, 'tags.csv': TAGS }, 'utf8'),
  );
  assert.deepEqual(dataset.tags, [
    { userId: 2, movieId: 2, tag: 'heist, LA', timestamp: 1445714994 },
    { userId: 1, movieId: 1, tag: 'Pixar "classic"', timestamp: 1445714996 },
    { userId: 1, movieId: 1, tag: 'funny', timestamp: 1445714995 },
    { userId: 7, movieId: 2, tag: 'Al Pacino', timestamp: 1445715000 },
  ]);
  const out = tempDir();
  writeMlLatest(dataset, out);
  assert.equal(
    readFileSync(join(out, 'tags.csv'), 'utf8'),
    [
      'userId,movieId,tag,timestamp',
      '1,1,funny,1445714995',
      '1,1,"Pixar ""classic""",1445714996',
      '2,2,"heist, LA",1445714994',
      '7,2,Al Pacino,1445715000',
      '',
    ].join('\n'),
  );
  const again = await readMlLatest(out);
  assert.deepEqual(
    new Set(again.tags?.map((t) => JSON.stringify(t))),
    new Set(dataset.tags?.map((t) => JSON.stringify(t))),
  );
});

test('a folder without tags.csv has no tags, and the writer then writes none', async () => {
  const dataset = await readMlLatest(writeFolder({ 'movies.csv': MOVIES, 'ratings.csv': RATINGS }));
  assert.equal(dataset.tags, undefined);
  const out = tempDir();
  writeMlLatest(dataset, out);
  assert.throws(() => readFileSync(join(out, 'tags.csv')), /ENOENT/);
});

test('tags.csv errors name the file and line', async () => {
  const read = (tags: string) =>
    readMlLatest(writeFolder({ 'movies.csv': MOVIES, 'ratings.csv': RATINGS, 'tags.csv': tags }));
  await assert.rejects(read('userId,movieId,tag\n'), /tags\.csv:1: expected the header/);
  await assert.rejects(
    read('userId,movieId,tag,timestamp\n1,9,x,1\n'),
    /tags\.csv:2: movie 9 is not in movies\.csv/,
  );
  await assert.rejects(
    read('userId,movieId,tag,timestamp\n1,1,"open,1\n'),
    /tags\.csv:2: unterminated quoted field/,
  );
  await assert.rejects(
    read('userId,movieId,tag,timestamp\n1,1,a,b,1\n'),
    /tags\.csv:2: expected 4/,
  );
});

test('ML-1M layout: tags.dat as UserID::MovieID::Tag::Timestamp, refusing "::" in a tag', async () => {
  const dataset = await readMlLatest(
    writeFolder({ 'movies.csv': MOVIES, 'ratings.csv': RATINGS }, 'utf8'),
  );
  const out = tempDir();
  writeMl1m({ ...dataset, tags: [{ userId: 1, movieId: 1, tag: 'heist, LA', timestamp: 5 }] }, out);
  assert.equal(readFileSync(join(out, 'tags.dat'), 'latin1'), '1::1::heist, LA::5\n');
  assert.equal((await readMl1m(out)).ratings.length, 2);
  assert.throws(
    () =>
      writeMl1m(
        { ...dataset, tags: [{ userId: 1, movieId: 1, tag: 'a::b', timestamp: 5 }] },
        tempDir(),
      ),
    /tags\.dat:1: tag "a::b" holds "::"/,
  );
});
