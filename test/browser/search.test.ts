// Search that forgives, in real Chromium against the real server (demo catalog): on a phone-sized
// screen, typing a title with a typo into Explore shows the movie and a "Did you mean …?" link;
// following the link searches the corrected title (in the box and the URL) without a suggestion.
// Typing the title without its accents finds it too. In onboarding, the suggestion is a button
// that puts the corrected title in the box. Screenshot: artifacts/screenshots/search-typo.png.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalize } from '../../src/services/titleText.ts';
import { browserSkipReason, browserSuite, PHONE, screenshot } from './harness.ts';

const skip = browserSkipReason();
const suite = browserSuite(skip);

interface Movie {
  id: number;
  title: string;
}

/** A popular demo movie with a plain title and a word of 5+ letters to mistype. */
async function movieToMistype(): Promise<{ movie: Movie; typo: string }> {
  const response = await fetch(`${suite.server.baseUrl}/api/movies?pageSize=50`);
  const { items } = (await response.json()) as { items: Movie[] };
  for (const movie of items) {
    if (!/^[A-Za-z ]+$/.test(movie.title)) continue;
    const words = movie.title.toLowerCase().split(' ');
    const k = words.findIndex((word) => word.length >= 5 && word[1] !== word[2]);
    if (k < 0) continue;
    words[k] = words[k][0] + words[k][2] + words[k][1] + words[k].slice(3);
    return { movie, typo: words.join(' ') };
  }
  throw new Error('no plain title to mistype in the demo catalog');
}

test(
  'Explore: a typo shows the movie and a "Did you mean" link that searches the right title',
  { skip },
  async () => {
    const { movie, typo } = await movieToMistype();
    const page = await suite.newPage(await suite.newContext(PHONE), 30_000);
    await page.goto('/explore');
    const box = page.getByRole('searchbox', { name: 'Search' });
    const results = page.getByRole('list', { name: 'Search results' });
    await box.fill(typo);
    await results.locator(`h3 a[href="/movies/${movie.id}"]`).waitFor();
    const suggestion = page
      .locator('.did-you-mean')
      .getByRole('link', { name: normalize(movie.title), exact: true });
    await suggestion.waitFor();
    assert.match((await page.locator('.did-you-mean').textContent()) ?? '', /^Did you mean .+\?$/);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= PHONE.width, `no sideways scrolling on a phone (${width} px)`);
    await screenshot(page, 'search-typo', false);

    await suggestion.click();
    await page.waitForURL((url) => url.searchParams.get('q') === normalize(movie.title));
    // The box follows the URL on the next render. (A function with its argument, not a string: a
    // string is evaluated in the page while polling, which the site's CSP refuses.)
    await page.waitForFunction(
      (title) =>
        (document.querySelector('input[type="search"]') as HTMLInputElement | null)?.value ===
        title,
      normalize(movie.title),
    );
    await results.locator(`h3 a[href="/movies/${movie.id}"]`).waitFor();
    await page.locator('.did-you-mean').waitFor({ state: 'detached' });

    // Accents are optional: a title typed without them is found.
    const accented = (await (
      await fetch(`${suite.server.baseUrl}/api/movies?pageSize=100`)
    ).json()) as {
      items: Movie[];
    };
    const foreign = accented.items.find((m) => /[à-ÿ]/i.test(m.title));
    if (foreign) {
      await box.fill(normalize(foreign.title));
      await results.locator(`h3 a[href="/movies/${foreign.id}"]`).waitFor();
    }
    assert.deepEqual(suite.pageErrors, []);
  },
);

test('Onboarding: the "Did you mean" button searches the corrected title', { skip }, async () => {
  const { movie, typo } = await movieToMistype();
  const { page } = await suite.newMember('typo', PHONE, 30_000);
  await page.goto('/onboarding');
  const box = page.getByRole('searchbox', { name: 'Looking for a particular movie?' });
  await box.fill(typo);
  const suggestion = page
    .locator('.did-you-mean')
    .getByRole('button', { name: normalize(movie.title), exact: true });
  await suggestion.click();
  assert.equal(await box.inputValue(), normalize(movie.title));
  await page.locator('.did-you-mean').waitFor({ state: 'detached' });
  const results = page.getByRole('region', { name: 'Search results' });
  await results.locator(`h3 a[href="/movies/${movie.id}"]`).waitFor();
});
