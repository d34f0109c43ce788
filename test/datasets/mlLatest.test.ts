import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readMlLatest } from '../../src/datasets/mlLatest.ts';
import { readDataset } from '../../src/datasets/read.ts';
import { writeFolder } from '../helpers/files.ts';

const MOVIES = [
  'movieId,title,genres',
  '1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy',
  '11,"American President, The (1995)",Comedy|Drama|Romance',
  '12,"Quote ""Inside"" (2001)",(no genres listed)',
  '13,Cosmos,Documentary',
  '',
].join('\n');
const RATINGS =
  'userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,11,3.5,964981247\n2,12,0.5,964982224\n';

test('reads quoted titles with commas and quotes, and half-star ratings', async () => {
  const dataset = await readMlLatest(
    writeFolder({ 'movies.csv': MOVIES, 'ratings.csv': RATINGS }, 'utf8'),
  );
  assert.deepEqual(dataset.movies[1], {
    id: 11,
    title: 'American President, The',
    year: 1995,
    genres: ['Comedy', 'Drama', 'Romance'],
  });
  assert.deepEqual(dataset.movies[2], { id: 12, title: 'Quote "Inside"', year: 2001, genres: [] });
  assert.deepEqual(dataset.movies[3], {
    id: 13,
    title: 'Cosmos',
    year: null,
    genres: ['Documentary'],
  });
  assert.deepEqual([...dataset.ratings.rating], [4, 3.5, 0.5]);
  assert.equal(dataset.scale.step, 0.5);
});

test('refuses a rating off the half-star scale', async () => {
  const dir = writeFolder(
    {
      'movies.csv': MOVIES,
      'ratings.csv': 'userId,movieId,rating,timestamp\n1,1,4.25,964982703\n',
    },
    'utf8',
  );
  await assert.rejects(
    readMlLatest(dir),
    /^DatasetError: ratings\.csv:2: rating "4\.25" is outside 0\.5–5 in steps of 0\.5$/,
  );
});

test('refuses invalid UTF-8, naming the line', async () => {
  const movies = Buffer.concat([
    Buffer.from('movieId,title,genres\n1,Caf'),
    Buffer.from([0xe9]),
    Buffer.from(' (1995),Drama\n'),
  ]);
  const dir = writeFolder({ 'movies.csv': movies, 'ratings.csv': RATINGS }, 'utf8');
  await assert.rejects(
    readMlLatest(dir),
    /movies\.csv:2: wrong encoding: the file is not valid UTF-8/,
  );
});

test('refuses a missing header and an unterminated quote', async () => {
  await assert.rejects(
    readMlLatest(writeFolder({ 'movies.csv': MOVIES, 'ratings.csv': '1,1,4.0,964982703\n' })),
    /ratings\.csv:1: expected the header/,
  );
  const broken = 'movieId,title,genres\n1,"Toy Story (1995),Comedy\n';
  await assert.rejects(
    readMlLatest(writeFolder({ 'movies.csv': broken, 'ratings.csv': RATINGS })),
    /movies\.csv:2: unterminated quoted field/,
  );
});

test('readDataset refuses an unknown format and a missing folder', async () => {
  await assert.rejects(
    readDataset('/tmp', 'ml-2m'),
    /unknown format "ml-2m" \(expected one of ml-100k, ml-1m, ml-latest, netflix\)/,
  );
  await assert.rejects(readDataset('/nonexistent/folder', 'ml-1m'), /folder: folder not found/);
});
