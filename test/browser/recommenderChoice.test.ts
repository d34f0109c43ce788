// A member switches recommender on the home page in real Chromium: one click on a named
// recommender, the lists change and the choice is remembered after a reload; top picks and the
// genre shelves never show a movie twice; the page fits a 390 px wide phone.
// Screenshots: artifacts/screenshots/recommender-*.png.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  browserSkipReason,
  browserSuite,
  DESKTOP,
  PHONE,
  rateMovies,
  screenshot,
} from './harness.ts';

const skip = browserSkipReason();
const suite = browserSuite(skip);

/** Movie ids shown in each list of the home page, top to bottom. */
async function homeLists(page: Page): Promise<number[][]> {
  const grids = page.locator('ul.movie-grid');
  const lists: number[][] = [];
  for (let g = 0; g < (await grids.count()); g++) {
    const hrefs = await grids
      .nth(g)
      .locator('article a.poster-link')
      .evaluateAll((links) => links.map((link) => link.getAttribute('href') ?? ''));
    lists.push(hrefs.map((href) => Number(/\/movies\/(\d+)/.exec(href)![1])));
  }
  return lists;
}

function assertNoRepeats(lists: number[][]): void {
  const seen = new Set<number>();
  for (const list of lists)
    for (const id of list) {
      assert.ok(!seen.has(id), `movie ${id} is shown twice on the page`);
      seen.add(id);
    }
}

test(
  'a member switches recommender; the shelves repeat nothing shown above',
  { skip, timeout: 300_000 },
  async () => {
    const { context, page } = await suite.newMember('chooser', DESKTOP, 30_000);
    await rateMovies(context.request, 'sort=popularity&pageSize=15', (k) => (k % 3 === 0 ? 2 : 5));
    await page.goto('/');
    await page.getByRole('heading', { name: 'Top picks for you' }).waitFor();
    await page.locator('section.genre-row').first().waitFor();
    const switcher = page.getByRole('group', { name: 'Recommend with' });
    assert.ok(await switcher.getByLabel('Popular with people like you').isChecked());
    const before = await homeLists(page);
    assert.ok(before.length >= 2, 'top picks and at least one shelf');
    assertNoRepeats(before);
    await screenshot(page, 'recommender-for-you');

    // One click switches every list. (A click, not `check()`: the radio shows the choice once the
    // server has taken it, which `check()` does not wait for.)
    const answered = page.waitForResponse(
      (response) => response.url().endsWith('/api/recommendations/home') && response.ok(),
    );
    await switcher.getByLabel('Hidden gems').click();
    await answered;
    await page.waitForFunction(
      (first) =>
        document.querySelector('ul.movie-grid article a.poster-link')?.getAttribute('href') !==
        first,
      `/movies/${before[0][0]}`,
    );
    const gems = await homeLists(page);
    assertNoRepeats(gems);
    assert.notDeepEqual(gems[0], before[0]);
    await screenshot(page, 'recommender-hidden-gems');

    // Remembered: a reload shows the same choice and lists.
    await page.reload();
    await page.getByRole('heading', { name: 'Top picks for you' }).waitFor();
    await page.locator('section.genre-row').first().waitFor();
    assert.ok(
      await page
        .getByRole('group', { name: 'Recommend with' })
        .getByLabel('Hidden gems')
        .isChecked(),
    );
    assert.deepEqual((await homeLists(page))[0], gems[0]);

    // A phone: no sideways scrolling.
    await page.setViewportSize(PHONE);
    await page.getByRole('group', { name: 'Recommend with' }).waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= PHONE.width, `the page is ${width} px wide on a 390 px screen`);
    await screenshot(page, 'recommender-phone', false);
    assert.deepEqual(suite.pageErrors, []);
  },
);
