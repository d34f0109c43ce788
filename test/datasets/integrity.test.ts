// Damaged or inconsistent files, in every format: each is refused at the line that shows it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readDataset, type DatasetFormat } from '../../src/datasets/read.ts';
import { writeFolder } from '../helpers/files.ts';

const FLAGS = Array.from({ length: 19 }, () => '0').join('|');

/** A small valid dataset per format; each case below overrides one file. */
const VALID: Record<DatasetFormat, Record<string, string>> = {
  'ml-100k': {
    'u.item': `1|A (1995)|||x|${FLAGS}\n`,
    'u.user': '7|31|F|other|55414\n',
    'u.data': '7\t1\t4\t881250949\n',
  },
  'ml-1m': {
    'movies.dat': '1::A (1995)::Drama\n',
    'users.dat': '7::F::25::3::55414\n',
    'ratings.dat': '7::1::4::978300760\n',
  },
  'ml-latest': {
    'movies.csv': 'movieId,title,genres\n1,"A, The (1995)",Drama\n',
    'ratings.csv': 'userId,movieId,rating,timestamp\n7,1,3.5,964982703\n',
  },
  netflix: {
    'movie_titles.txt': '1,1995,A\n',
    'combined_data_1.txt': '1:\n7,4,2005-09-06\n',
  },
};

const cases: Array<[string, DatasetFormat, Record<string, string>, RegExp]> = [
  // A dataset without ratings would empty the database under --replace.
  ['an empty u.data', 'ml-100k', { 'u.data': '' }, /^u\.data: no ratings$/],
  ['an empty ratings.dat', 'ml-1m', { 'ratings.dat': '\n' }, /^ratings\.dat: no ratings$/],
  [
    'a ratings.csv with only its header',
    'ml-latest',
    { 'ratings.csv': 'userId,movieId,rating,timestamp\n' },
    /^ratings\.csv: no ratings$/,
  ],
  [
    'a rating file with only a movie header',
    'netflix',
    { 'combined_data_1.txt': '1:\n' },
    /^combined_data_1\.txt: no ratings$/,
  ],

  // Ratings of movies or users that the catalog or users file does not list.
  [
    'a movie missing from u.item',
    'ml-100k',
    { 'u.data': '7\t1\t4\t881250949\n7\t99999\t4\t881250949\n' },
    /^u\.data:2: movie 99999 is not in u\.item$/,
  ],
  [
    'a user missing from u.user',
    'ml-100k',
    { 'u.data': '7\t1\t4\t881250949\n8\t1\t4\t881250949\n' },
    /^u\.data:2: user 8 is not in u\.user$/,
  ],
  [
    'a movie missing from movies.dat',
    'ml-1m',
    { 'ratings.dat': '7::1::4::978300760\n7::5::4::978300760\n' },
    /^ratings\.dat:2: movie 5 is not in movies\.dat$/,
  ],
  [
    'a user missing from users.dat',
    'ml-1m',
    { 'ratings.dat': '9::1::4::978300760\n7::1::4::978300760\n' },
    /^ratings\.dat:1: user 9 is not in users\.dat$/,
  ],
  [
    'a movie missing from movies.csv',
    'ml-latest',
    { 'ratings.csv': 'userId,movieId,rating,timestamp\n7,1,3.5,964982703\n7,2,4.0,964982703\n' },
    /^ratings\.csv:3: movie 2 is not in movies\.csv$/,
  ],
  [
    'a movie missing from movie_titles.txt',
    'netflix',
    { 'combined_data_1.txt': '1:\n7,4,2005-09-06\n2:\n7,5,2005-09-06\n' },
    /^combined_data_1\.txt:4: movie 2 is not in movie_titles\.txt$/,
  ],

  // A file cut off in its last line: numbers and text cut short still parse.
  [
    'a timestamp cut short at the end of u.data',
    'ml-100k',
    { 'u.data': '7\t1\t4\t88043' },
    /^u\.data:1: the last line is cut short \(no newline at the end of the file\)$/,
  ],
  [
    'a title cut short at the end of movies.dat',
    'ml-1m',
    { 'movies.dat': '1::A (1995)::Drama\n2::Cas' },
    /^movies\.dat:2: the last line is cut short/,
  ],
  [
    'a timestamp cut short at the end of ratings.csv',
    'ml-latest',
    { 'ratings.csv': 'userId,movieId,rating,timestamp\n7,1,3.5,9649' },
    /^ratings\.csv:2: the last line is cut short/,
  ],
  [
    'a zip code cut short at the end of users.dat',
    'ml-1m',
    { 'users.dat': '7::F::25::3::554' },
    /^users\.dat:1: the last line is cut short/,
  ],
  [
    'a title cut short at the end of movie_titles.txt',
    'netflix',
    { 'movie_titles.txt': '1,1995,A\r\n2,1996,Dinosaur Pl' },
    /^movie_titles\.txt:2: the last line is cut short/,
  ],

  // Control characters in text fields are damage, not text.
  [
    'a NUL in a u.item title',
    'ml-100k',
    { 'u.item': `1|A\0 (1995)|||x|${FLAGS}\n` },
    /^u\.item:1: title contains a control character \(U\+0000\)$/,
  ],
  [
    'a tab in a u.user zip code',
    'ml-100k',
    { 'u.user': '7|31|F|other|554\t14\n' },
    /^u\.user:1: zip code contains a control character \(U\+0009\)$/,
  ],
  [
    'an ISO-8859-1 C1 control in a movies.dat title',
    'ml-1m',
    { 'movies.dat': '1::A\x85 (1995)::Drama\n' },
    /^movies\.dat:1: title contains a control character \(U\+0085\)$/,
  ],
  [
    'a carriage return inside a quoted movies.csv title',
    'ml-latest',
    { 'movies.csv': 'movieId,title,genres\n1,"A\r, The (1995)",Drama\n' },
    /^movies\.csv:2: title contains a control character \(U\+000D\)$/,
  ],
  [
    'an escape in movies.csv genres',
    'ml-latest',
    { 'movies.csv': 'movieId,title,genres\n1,A (1995),Dra\x1bma\n' },
    /^movies\.csv:2: genres contains a control character \(U\+001B\)$/,
  ],
  [
    'a NUL in a movie_titles.txt title',
    'netflix',
    { 'movie_titles.txt': '1,1995,A\0\n' },
    /^movie_titles\.txt:1: title contains a control character \(U\+0000\)$/,
  ],
];

for (const [what, format, files, message] of cases) {
  test(`${format}: refuses ${what}`, async () => {
    const encoding = format === 'ml-latest' ? 'utf8' : 'latin1';
    const dir = writeFolder({ ...VALID[format], ...files }, encoding);
    await assert.rejects(readDataset(dir, format), (error: Error) => {
      assert.equal(error.name, 'DatasetError');
      assert.match(error.message, message);
      return true;
    });
  });
}

test('every valid fixture reads', async () => {
  for (const format of Object.keys(VALID) as DatasetFormat[]) {
    const encoding = format === 'ml-latest' ? 'utf8' : 'latin1';
    const dataset = await readDataset(writeFolder(VALID[format], encoding), format);
    assert.equal(dataset.ratings.length, 1, format);
  }
});
