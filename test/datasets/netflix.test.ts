import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readNetflix } from '../../src/datasets/netflix.ts';
import { writeFolder } from '../helpers/files.ts';

const TITLES = '1,2003,Dinosaur Planet\n2,NULL,Isle of Man TT 2004 Review\n3,1997,Character, A\n';

test('reads the original training_set layout', async () => {
  const dir = writeFolder({
    'movie_titles.txt': TITLES,
    'training_set/mv_0000001.txt': '1:\n1488844,3,2005-09-06\n822109,5,2005-05-13\n',
    'training_set/mv_0000003.txt': '3:\n1488844,4,2004-01-01\n',
  });
  const dataset = await readNetflix(dir);
  assert.equal(dataset.ratings.length, 3);
  assert.deepEqual(dataset.movies[2], { id: 3, title: 'Character, A', year: 1997, genres: [] });
  assert.equal(dataset.movies[1].year, null);
  const first = dataset.ratings.userIds.indexOf(1488844);
  const row = [...dataset.ratings.userIndex].indexOf(first);
  assert.equal(dataset.ratings.timestamp[row], Date.UTC(2005, 8, 6) / 1000);
});

test('reads combined_data files and refuses bad dates', async () => {
  const ok = writeFolder({
    'movie_titles.txt': TITLES,
    'combined_data_1.txt': '1:\n5,3,2005-09-06\n2:\n5,1,2005-09-07\n',
  });
  assert.equal((await readNetflix(ok)).ratings.length, 2);
  const bad = writeFolder({
    'movie_titles.txt': TITLES,
    'combined_data_1.txt': '1:\n5,3,2005-02-30\n',
  });
  await assert.rejects(
    readNetflix(bad),
    /combined_data_1\.txt:2: date "2005-02-30" is not YYYY-MM-DD/,
  );
});

test('refuses a rating before any movie header, and a folder without ratings', async () => {
  const orphan = writeFolder({
    'movie_titles.txt': TITLES,
    'combined_data_1.txt': '5,3,2005-09-06\n',
  });
  await assert.rejects(
    readNetflix(orphan),
    /combined_data_1\.txt:1: rating before the first "MovieID:" line/,
  );
  await assert.rejects(readNetflix(writeFolder({ 'movie_titles.txt': TITLES })), /no rating files/);
});
