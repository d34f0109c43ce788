import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { readEvents } from '../../src/services/eventExport.ts';
import { fold, normalize } from '../../src/services/titleText.ts';
import { Client, describeApi } from './harness.ts';

interface Summary {
  id: number;
  title: string;
  year: number | null;
  genres: string[];
  ratingsCount: number;
}
interface MoviePage {
  items: Summary[];
  total: number;
  didYouMean: string | null;
}

/** In a title of plain letters, the first word of 5 or more with two neighbours swapped. */
function withTypo(title: string): string | null {
  if (!/^[\x20-\x7e]+$/.test(title)) return null;
  const words = title.toLowerCase().split(' ');
  const k = words.findIndex((word) => /^[a-z]{5,}$/.test(word) && word[1] !== word[2]);
  if (k < 0) return null;
  const word = words[k];
  words[k] = word[0] + word[2] + word[1] + word.slice(3);
  return words.join(' ');
}

describeApi('search that forgives', (api) => {
  let anonymous: Client;
  let catalog: Summary[];
  const search = async (q: string, extra = '') =>
    (await anonymous.get(`/api/movies?q=${encodeURIComponent(q)}&pageSize=100${extra}`))
      .json as MoviePage;

  before(async () => {
    anonymous = new Client(api.app);
    const pages = await Promise.all(
      [1, 2].map(async (page) => {
        const response = await anonymous.get(`/api/movies?pageSize=100&page=${page}`);
        return (response.json as MoviePage).items;
      }),
    );
    catalog = pages.flat();
  });

  test('accents fold: a title with accents is found typed without them, and the reverse', async () => {
    const accented = catalog.filter((movie) => /[à-ÿ]/i.test(movie.title)).slice(0, 5);
    assert.ok(accented.length > 0, 'the synthetic catalog has accented titles');
    for (const movie of accented) {
      const plain = fold(movie.title);
      const page = await search(plain);
      assert.ok(
        page.items.some((m) => m.id === movie.id),
        `${plain} finds ${movie.title}`,
      );
      assert.equal(page.didYouMean, null, plain);
    }
    const word = accented[0].title.split(' ').find((w) => /[à-ÿ]/i.test(w))!;
    const bare = fold(word).replace(/[^a-z]/g, '');
    const plainWord = (await search(bare)).items.map((m) => m.id).sort();
    const accentedWord = (await search(word)).items.map((m) => m.id).sort();
    assert.deepEqual(accentedWord, plainWord, `'${word}' and '${bare}' find the same movies`);
  });

  test("'Title, The' is found as 'the title', the exact title first", async () => {
    const moved = catalog.filter((movie) => /, The$/.test(movie.title)).slice(0, 5);
    assert.ok(moved.length > 0);
    for (const movie of moved) {
      const spoken = `the ${movie.title.slice(0, -', The'.length)}`;
      const page = await search(spoken);
      assert.equal(page.items[0]?.id, movie.id, `${spoken} → ${movie.title}`);
    }
  });

  test('a typo finds the movie, with a did-you-mean that finds it when followed', async () => {
    let checked = 0;
    for (const movie of catalog) {
      const typo = withTypo(movie.title);
      if (!typo || checked === 3) continue;
      checked++;
      const page = await search(typo);
      assert.equal(page.items[0]?.id, movie.id, `${typo} → ${movie.title}`);
      assert.equal(page.didYouMean, normalize(movie.title), typo);
      const followed = await search(page.didYouMean!);
      assert.equal(followed.items[0]?.id, movie.id);
      assert.equal(followed.didYouMean, null, 'the corrected query needs no correction');
    }
    assert.equal(checked, 3);
  });

  test('search combines with filters; a query of punctuation finds nothing, no error', async () => {
    const target = catalog.find((movie) => movie.genres.length > 0 && withTypo(movie.title))!;
    const genre = target.genres[0];
    const typo = withTypo(target.title)!;
    const inGenre = await search(typo, `&genre=${encodeURIComponent(genre)}`);
    assert.ok(inGenre.items.some((m) => m.id === target.id));
    assert.ok(inGenre.items.every((m) => m.genres.includes(genre)));
    const otherYear = await search(typo, `&yearFrom=${target.year! + 1}`);
    assert.ok(!otherYear.items.some((m) => m.id === target.id));
    for (const q of ['?!.', '---', "''"]) {
      const response = await anonymous.get(`/api/movies?q=${encodeURIComponent(q)}`);
      assert.equal(response.status, 200, q);
      assert.deepEqual(response.json, {
        items: [],
        page: 1,
        pageSize: 24,
        total: 0,
        didYouMean: null,
      });
    }
    const browse = (await anonymous.get('/api/movies')).json as MoviePage;
    assert.equal(browse.didYouMean, null, 'browsing without words has no suggestion');
  });

  test('a 1,000-character query is refused naming q, and is not logged', async () => {
    const response = await anonymous.get(`/api/movies?q=${'a'.repeat(1000)}`);
    assert.equal(response.status, 400);
    assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
    assert.match((response.json as { detail: string }).detail, /^q:/);
    await search('unmistakably logged zzz');
    await api.app.services.research.events.flush();
    const searches = [];
    for await (const event of readEvents(api.db)) if (event.kind === 'search') searches.push(event);
    assert.ok(searches.some((e) => e.data.query === 'unmistakably logged zzz'));
    assert.ok(searches.every((e) => String(e.data.query).length <= 200));
  });

  test('searches are logged with the number of results, typo-forgiven ones too', async () => {
    const movie = catalog.find((m) => withTypo(m.title))!;
    const typo = withTypo(movie.title)!;
    const page = await search(typo);
    await api.app.services.research.events.flush();
    const logged = [];
    for await (const event of readEvents(api.db)) if (event.kind === 'search') logged.push(event);
    const event = logged.find((e) => e.data.query === typo);
    assert.deepEqual(event?.data, { query: typo, resultCount: page.total });
  });
});
