import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FIVE_STARS, HALF_STARS } from '../../src/datasets/dataset.ts';
import { readMl1m, writeMl1m } from '../../src/datasets/ml1m.ts';
import { tempDir, writeFolder } from '../helpers/files.ts';

const MOVIES = "1::Toy Story (1995)::Animation|Children's|Comedy\n2::Café, Le (1999)::Drama\n";
const USERS = '1::F::1::10::48067\n2::M::56::16::70072\n';
const RATINGS = '1::1::5::978300760\n1::2::3::978302109\n2::1::4::978298413\n';

function folder(overrides: Record<string, string | Buffer> = {}): string {
  return writeFolder({
    'movies.dat': MOVIES,
    'users.dat': USERS,
    'ratings.dat': RATINGS,
    ...overrides,
  });
}

test('reads ML-1M files, ISO-8859-1 titles included', async () => {
  const dataset = await readMl1m(folder());
  assert.equal(dataset.ratings.length, 3);
  assert.deepEqual(dataset.movies[1], { id: 2, title: 'Café, Le', year: 1999, genres: ['Drama'] });
  assert.deepEqual(dataset.users[1], { id: 2, gender: 'M', age: 56, occupation: 16, zip: '70072' });
  assert.deepEqual([...dataset.ratings.rating], [5, 3, 4]);
  assert.deepEqual([...dataset.ratings.userIds.ids], [1, 2]);
});

test('writes back byte-identical files', async () => {
  const source = folder();
  const out = tempDir();
  writeMl1m(await readMl1m(source), out);
  for (const name of ['movies.dat', 'users.dat', 'ratings.dat']) {
    assert.deepEqual(readFileSync(join(out, name)), readFileSync(join(source, name)), name);
  }
  assert.ok(
    readFileSync(join(out, 'movies.dat')).includes(Buffer.from([0x43, 0x61, 0x66, 0xe9])),
    'Café in ISO-8859-1',
  );
});

test('whole-star data has the whole-star scale', async () => {
  assert.deepEqual((await readMl1m(folder())).scale, FIVE_STARS);
});

test('reads ML-10M: half stars in ratings.dat, IMAX and "(no genres listed)" in movies.dat', async () => {
  const dir = writeFolder({
    'movies.dat':
      '1::Toy Story (1995)::Adventure|Animation|Children|Comedy|Fantasy\n' +
      '2::Dark Knight, The (2008)::Action|Crime|Drama|IMAX\n8606::Pull My Daisy (1958)::(no genres listed)\n',
    'ratings.dat': '1::1::5::838985046\n1::2::0.5::838983525\n2::8606::3.5::868245777\n',
  });
  const dataset = await readMl1m(dir);
  assert.deepEqual(dataset.scale, HALF_STARS, 'a half star makes the scale 0.5–5');
  assert.deepEqual([...dataset.ratings.rating], [5, 0.5, 3.5]);
  assert.deepEqual(dataset.movies[1].genres, ['Action', 'Crime', 'Drama', 'IMAX']);
  assert.deepEqual(dataset.movies[2].genres, []);
  assert.deepEqual(dataset.users, [], 'ML-10M has no users.dat');
});

test('half stars are written in the ML-10M layout and read back unchanged', async () => {
  const ratings = '1::1::4.5::978300760\n1::2::0.5::978302109\n2::1::4::978298413\n';
  const source = folder({ 'ratings.dat': ratings });
  const out = tempDir();
  writeMl1m(await readMl1m(source), out);
  assert.equal(readFileSync(join(out, 'ratings.dat'), 'latin1'), ratings);
  const again = await readMl1m(out);
  assert.deepEqual([...again.ratings.rating], [4.5, 0.5, 4]);
  assert.deepEqual(again.scale, HALF_STARS);
});

const badInputs: Array<[string, Record<string, string | Buffer>, RegExp]> = [
  [
    'a wrong separator',
    { 'ratings.dat': '1::1::5::978300760\n1\t2\t3\t978302109\n' },
    /^ratings\.dat:2: expected 4 fields UserID::MovieID::Rating::Timestamp separated by "::", found 1$/,
  ],
  [
    'a rating outside the scale',
    { 'ratings.dat': '1::1::6::978300760\n' },
    /^ratings\.dat:1: rating "6" is outside 0\.5–5 in steps of 0\.5$/,
  ],
  [
    'a rating off the half-star grid',
    { 'ratings.dat': '1::1::5::978300760\n1::2::3.3::978300760\n' },
    /^ratings\.dat:2: rating "3\.3" is outside 0\.5–5 in steps of 0\.5$/,
  ],
  [
    'a rating of zero',
    { 'ratings.dat': '1::1::0::978300760\n' },
    /^ratings\.dat:1: rating "0" is outside 0\.5–5 in steps of 0\.5$/,
  ],
  [
    'a non-numeric id',
    { 'ratings.dat': '1::1::5::978300760\nabc::1::5::978300760\n' },
    /^ratings\.dat:2: user id "abc" is not a positive whole number$/,
  ],
  [
    'a duplicate (user, movie) pair',
    { 'ratings.dat': RATINGS + '1::2::4::978302200\n' },
    /^ratings\.dat:4: duplicate rating of movie 2 by user 1$/,
  ],
  [
    'a truncated last line',
    { 'ratings.dat': RATINGS + '2::2::' },
    /^ratings\.dat:4: the last line is cut short \(no newline at the end of the file\)$/,
  ],
  [
    'UTF-8 text in an ISO-8859-1 file',
    { 'movies.dat': Buffer.from(MOVIES, 'utf8') },
    /^movies\.dat:2: wrong encoding: expected ISO-8859-1 but found UTF-8 text$/,
  ],
  [
    'an unknown genre',
    { 'movies.dat': '1::X (1995)::Cartoon\n' },
    /^movies\.dat:1: unknown genre "Cartoon"$/,
  ],
  [
    'an age that is not a bucket',
    { 'users.dat': '1::F::30::10::48067\n' },
    /^users\.dat:1: age "30" is not an ML-1M age bucket/,
  ],
  ['a missing ratings file', { 'ratings.dat': '' }, /ratings\.dat/],
];

for (const [what, files, message] of badInputs) {
  test(`refuses ${what}, naming file and line`, async () => {
    const dir = folder(files);
    if (files['ratings.dat'] === '') {
      const { rmSync } = await import('node:fs');
      rmSync(join(dir, 'ratings.dat'));
      await assert.rejects(readMl1m(dir), /ratings\.dat: file not found/);
      return;
    }
    await assert.rejects(readMl1m(dir), (error: Error) => {
      assert.match(error.message, message);
      return true;
    });
  });
}

test('refuses to write a title that ISO-8859-1 cannot hold', async () => {
  const dataset = await readMl1m(folder());
  dataset.movies[0].title = 'Cœur';
  assert.throws(
    () => writeMl1m(dataset, tempDir()),
    /movies\.dat:1: "œ" cannot be written in ISO-8859-1 \(use --format ml-latest\)/,
  );
});
