import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readMlLatest } from '../../src/datasets/mlLatest.ts';
import { writeMlLatest } from '../../src/datasets/mlLatestWriter.ts';
import { movieLinkUrls, parseImdbUrl } from '../../src/datasets/movieLinks.ts';
import { tempDir, writeFolder } from '../helpers/files.ts';

const MOVIES = [
  'movieId,title,genres',
  '1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy',
  '2,Jumanji (1995),Adventure|Children|Fantasy',
  '3,Grumpier Old Men (1995),Comedy|Romance',
  '4,Unlinked (2001),Drama',
  '',
].join('\n');
const LINKS = 'movieId,imdbId,tmdbId\n1,0114709,862\n2,0113497,\n3,,15602\n';
const RATINGS = 'userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,2,3.5,964981247\n';

test('ML-100K IMDb URLs: kept only from http(s) imdb.com, as an id or a search title', () => {
  assert.deepEqual(parseImdbUrl('http://us.imdb.com/M/title-exact?Toy%20Story%20(1995)'), {
    imdbId: null,
    tmdbId: null,
    imdbSearch: 'Toy Story (1995)',
  });
  assert.deepEqual(parseImdbUrl('https://www.imdb.com/title/tt0114709/'), {
    imdbId: 114709,
    tmdbId: null,
    imdbSearch: null,
  });
  for (const hostile of [
    'javascript:alert(1)//imdb.com',
    'http://evil.example/?imdb.com',
    'http://imdb.com.evil.example/title/tt0114709/',
    'ftp://us.imdb.com/M/title-exact?Toy',
    'data:text/html,<a href="http://imdb.com">',
    'http://us.imdb.com/M/title-exact?',
    'http://us.imdb.com/M/title-exact?%E0%A4%A',
    '',
  ])
    assert.equal(parseImdbUrl(hostile), null, hostile);
});

test('links are built on fixed hosts: a search title cannot change where a link points', () => {
  const search = movieLinkUrls({
    imdbId: null,
    tmdbId: null,
    imdbSearch: 'x&y=1#/../@evil.example',
  });
  assert.equal(
    search.imdb,
    'https://www.imdb.com/find/?q=x%26y%3D1%23%2F..%2F%40evil.example&s=tt',
  );
  assert.equal(new URL(search.imdb!).hostname, 'www.imdb.com');
  assert.deepEqual(movieLinkUrls({ imdbId: 114709, tmdbId: 862, imdbSearch: null }), {
    imdb: 'https://www.imdb.com/title/tt0114709/',
    tmdb: 'https://www.themoviedb.org/movie/862',
  });
  assert.deepEqual(movieLinkUrls(undefined), { imdb: null, tmdb: null });
});

test('links.csv round trip: read, write (ids zero-padded to 7), read again', async () => {
  const dir = writeFolder(
    { 'movies.csv': MOVIES, 'ratings.csv': RATINGS, 'links.csv': LINKS },
    'utf8',
  );
  const dataset = await readMlLatest(dir);
  assert.deepEqual(dataset.movies[0].links, { imdbId: 114709, tmdbId: 862, imdbSearch: null });
  assert.deepEqual(dataset.movies[1].links, { imdbId: 113497, tmdbId: null, imdbSearch: null });
  assert.deepEqual(dataset.movies[2].links, { imdbId: null, tmdbId: 15602, imdbSearch: null });
  assert.equal(dataset.movies[3].links, undefined);
  const out = tempDir();
  writeMlLatest(dataset, out);
  assert.deepEqual(readdirSync(out).sort(), ['links.csv', 'movies.csv', 'ratings.csv']);
  assert.equal(readFileSync(join(out, 'links.csv'), 'utf8'), LINKS);
  assert.deepEqual((await readMlLatest(out)).movies, dataset.movies);
});

test('a bad links.csv is refused with the place', async () => {
  const read = (links: string) =>
    readMlLatest(
      writeFolder({ 'movies.csv': MOVIES, 'ratings.csv': RATINGS, 'links.csv': links }, 'utf8'),
    );
  await assert.rejects(read('movieId,imdb,tmdb\n'), /links\.csv:1: expected the header/);
  await assert.rejects(
    read(`${LINKS}5,tt01,\n`),
    /links\.csv:5: imdbId "tt01" is not a whole number/,
  );
  await assert.rejects(read(`${LINKS}5,1\n`), /links\.csv:5: expected 3 comma-separated fields/);
});
