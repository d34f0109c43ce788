import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Catalog } from '../../src/services/catalog.ts';
import { MovieSearch } from '../../src/services/movieSearch.ts';
import { fold, titleForms, typoDistance } from '../../src/services/titleText.ts';

/** MovieLens-style titles with their years; popularity (number of ratings) is given per movie. */
const MOVIES: Array<[title: string, year: number, popularity: number]> = [
  ['Misérables, Les', 1995, 40],
  ['Misérables, Les', 2012, 60],
  ['Star Wars', 1977, 300],
  ['Star Trek: The Motion Picture', 1979, 80],
  ['Star Is Born, A', 1954, 20],
  ['Stargate', 1994, 120],
  ['Lone Star', 1996, 10],
  ["Amélie (Fabuleux destin d'Amélie Poulain, Le)", 2001, 150],
  ['Godfather, The', 1972, 250],
  ['Godfather: Part II, The', 1974, 180],
  ["Schindler's List", 1993, 200],
  ["Auberge espagnole, L'", 2002, 15],
  ['City of Lost Children, The (Cité des enfants perdus, La)', 1995, 30],
  ['Wars of the Roses, The', 1989, 25],
  ['Ærø Straße', 2020, 1],
];
const movies = MOVIES.map(([title, year], id) => ({ id: id + 1, title, year, genres: [] }));
const popularity = Int32Array.from(MOVIES, ([, , count]) => count);
const search = new MovieSearch(movies);

/** Titles with years, best first. */
function find(query: string): { titles: string[]; didYouMean: string | null } {
  const hits = search.find(query, popularity);
  return {
    titles: hits.indexes.map((i) => `${movies[i].title} (${movies[i].year})`),
    didYouMean: hits.didYouMean,
  };
}

describe('movie search', () => {
  test("accents fold both ways: 'miserables' and 'les miserables' find 'Misérables, Les (1995)'", () => {
    for (const query of ['miserables', 'les miserables', 'Les Misérables', 'MISERABLES, LES']) {
      const { titles, didYouMean } = find(query);
      assert.deepEqual(
        titles,
        ['Misérables, Les (2012)', 'Misérables, Les (1995)'],
        `${query}: both, the more popular first`,
      );
      assert.equal(didYouMean, null, query);
    }
    assert.deepEqual(find('les miserables 1995').titles, ['Misérables, Les (1995)']);
    assert.deepEqual(find('amelie').titles, [
      "Amélie (Fabuleux destin d'Amélie Poulain, Le) (2001)",
    ]);
    assert.deepEqual(find('aero strasse').titles, ['Ærø Straße (2020)'], 'ligatures and ß');
  });

  test("typos are forgiven: 'star wras' finds 'Star Wars (1977)', with a did-you-mean", () => {
    const { titles, didYouMean } = find('star wras');
    assert.equal(titles[0], 'Star Wars (1977)');
    assert.equal(didYouMean, 'star wars');
    assert.equal(find('godfathr').titles[0], 'Godfather, The (1972)');
    assert.equal(find('godfathr').didYouMean, 'godfather');
    assert.equal(find('amelei').didYouMean, 'amélie', 'the suggestion is spelled as in the title');
    // A suggestion, searched, finds its movie without a typo.
    for (const typo of ['star wras', 'schindlr list', 'amelei', 'miserbles les', 'stra wars']) {
      const { titles, didYouMean } = find(typo);
      assert.ok(didYouMean, typo);
      const again = find(didYouMean);
      assert.equal(again.titles[0], titles[0], typo);
      assert.equal(again.didYouMean, null, typo);
    }
  });

  test('a correct query gets no did-you-mean, and a hopeless one finds nothing', () => {
    assert.equal(find('star wars').didYouMean, null);
    assert.deepEqual(find('qqqqzzzz xxxyyy'), { titles: [], didYouMean: null });
    assert.deepEqual(find('st'.repeat(3)).titles, [], 'short words are not guessed at');
  });

  test("MovieLens's 'Title, The' order is understood: 'godfather' and 'the godfather' alike", () => {
    for (const query of ['godfather', 'the godfather', 'Godfather, The']) {
      assert.deepEqual(
        find(query).titles,
        ['Godfather, The (1972)', 'Godfather: Part II, The (1974)'],
        query,
      );
    }
    assert.deepEqual(find("l'auberge espagnole").titles, ["Auberge espagnole, L' (2002)"]);
    assert.deepEqual(find('lauberge').titles, ["Auberge espagnole, L' (2002)"]);
    assert.deepEqual(find('la cite des enfants').titles, [
      'City of Lost Children, The (Cité des enfants perdus, La) (1995)',
    ]);
    assert.deepEqual(find('a star is born').titles, ['Star Is Born, A (1954)']);
  });

  test('ranking: exact title, then titles starting with the query, then popularity', () => {
    // 'Star Wars' is exact; the other titles start with 'star' or contain the word.
    assert.deepEqual(find('star wars').titles, ['Star Wars (1977)']);
    const star = find('star').titles;
    assert.deepEqual(star.slice(0, 4), [
      'Star Wars (1977)',
      'Stargate (1994)',
      'Star Trek: The Motion Picture (1979)',
      'Star Is Born, A (1954)',
    ]);
    assert.equal(star.at(-1), 'Lone Star (1996)', 'a title merely containing the word comes last');
    assert.deepEqual(find('stargate').titles, ['Stargate (1994)']);
    // Typing on: the last word is a prefix.
    assert.deepEqual(find('schindler').titles, ["Schindler's List (1993)"]);
    assert.deepEqual(find("schindler's li").titles, ["Schindler's List (1993)"]);
    assert.deepEqual(find('godfather part').titles, ['Godfather: Part II, The (1974)']);
  });

  test('a query of only punctuation or spaces finds nothing (and is no error)', () => {
    for (const query of ['?!.', ' - ', "'", '...,,,']) {
      assert.deepEqual(search.find(query, popularity), { indexes: [], didYouMean: null });
    }
  });

  test('a long query of many words is searched without typo tolerance, and quickly', () => {
    const words = Array.from({ length: 60 }, (_, k) => `word${k}`).join(' ');
    assert.deepEqual(search.find(words, popularity), { indexes: [], didYouMean: null });
  });

  test('the catalog delegates: filters and sorts apply to the matches, did-you-mean passes on', () => {
    const catalog = new Catalog(movies);
    catalog.counts.set(popularity);
    const typo = catalog.search({ q: 'misreables', page: 1, pageSize: 10 });
    assert.deepEqual(
      typo.indexes.map((i) => movies[i].year),
      [2012, 1995],
    );
    assert.equal(typo.didYouMean, 'misérables');
    const filtered = catalog.search({ q: 'miserables', yearTo: 2000, page: 1, pageSize: 10 });
    assert.deepEqual(filtered, { indexes: [0], total: 1, didYouMean: null });
    const byYear = catalog.search({ q: 'star', sort: 'year', page: 1, pageSize: 10 });
    assert.deepEqual(
      byYear.indexes.map((i) => movies[i].year),
      [1996, 1994, 1979, 1977, 1954],
    );
    const none = catalog.search({ q: '!!', page: 1, pageSize: 10 });
    assert.deepEqual(none, { indexes: [], total: 0, didYouMean: null });
    assert.equal(catalog.search({ q: '  ', page: 1, pageSize: 10 }).total, movies.length);
  });
});

describe('title text', () => {
  test('folding, readings and the typo distance', () => {
    assert.equal(fold('Misérables Ærø Straße Œuvre'), 'miserables aero strasse oeuvre');
    assert.deepEqual(titleForms('Godfather, The'), ['godfather the', 'the godfather']);
    assert.deepEqual(titleForms('City of Lost Children, The (Cité des enfants perdus, La)'), [
      'city of lost children the',
      'the city of lost children',
      'cite des enfants perdus la',
      'la cite des enfants perdus',
    ]);
    assert.deepEqual(titleForms('Hello, Dolly!'), ['hello dolly'], "'Dolly' is no article");
    assert.equal(typoDistance('wras', 'wars'), 1, 'a swap is one edit');
    assert.equal(typoDistance('godfathr', 'godfather'), 1);
    assert.equal(typoDistance('', 'abc'), 3);
    assert.equal(typoDistance('kitten', 'sitting'), 3);
  });
});
