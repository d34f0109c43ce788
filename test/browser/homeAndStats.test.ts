// Home lists, onboarding by groups, the stats page and movie links in real Chromium against the
// real server, over a synthetic catalog whose movies carry IMDb/TMDb ids: a new member picks three
// groups and gets first recommendations at once (also on the home page), rates a few movies, sees
// their stats page draw its charts, and opens a movie page with IMDb and TMDb links that open in a
// new tab without an opener. Every page fits a 390 px wide phone screen.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { generateSynthetic } from '../../src/datasets/synthetic.ts';
import { migrateToLatest, openDatabase } from '../../src/db/connection.ts';
import { importDataset } from '../../src/services/datasets.ts';
import {
  browserSkipReason,
  browserSuite,
  PASSWORD,
  PHONE,
  rateMovies,
  screenshot,
} from './harness.ts';

const skip = browserSkipReason();

/** A catalog where every movie has an IMDb id (10000 + id) and every other a TMDb id. */
async function prepare(dbPath: string): Promise<void> {
  const db = await openDatabase(dbPath);
  try {
    await migrateToLatest(db);
    const dataset = generateSynthetic({ users: 300, movies: 600, ratings: 24_000, seed: 16 });
    for (const movie of dataset.movies)
      movie.links = {
        imdbId: 10_000 + movie.id,
        tmdbId: movie.id % 2 === 0 ? movie.id : null,
        imdbSearch: null,
      };
    await importDataset(db, dataset, 'empty');
  } finally {
    await db.close();
  }
}

const suite = browserSuite(skip, PASSWORD, prepare);

/** The phone-sized context and page the tests share, with a new member signed in. */
let context: BrowserContext;
let page: Page;

before(async () => {
  if (skip) return;
  ({ context, page } = await suite.newMember('groups', PHONE));
});

async function fitsPhone(name: string): Promise<void> {
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  assert.ok(overflow <= 0, `${name} scrolls sideways by ${overflow} px on a 390 px screen`);
}

test('onboarding by groups gives first recommendations at once', { skip }, async () => {
  await page.goto('/onboarding');
  const groups = page.getByRole('list', { name: 'Groups of movies' }).getByRole('button');
  await groups.first().waitFor();
  const count = await groups.count();
  assert.ok(count >= 12 && count <= 20, `${count} groups`);
  const submit = page.getByRole('button', { name: /^Pick 3 more$/ });
  assert.ok(await submit.isDisabled());
  for (let k = 0; k < 3; k++) await groups.nth(k).click();
  assert.equal(await groups.nth(0).getAttribute('aria-pressed'), 'true');
  const [answer] = await Promise.all([
    page.waitForResponse(
      (r) => r.url().endsWith('/api/me/groups') && r.request().method() === 'PUT',
    ),
    page.getByRole('button', { name: 'Recommend from 3 groups' }).click(),
  ]);
  assert.equal(answer.status(), 200);
  const first = page.getByRole('list', { name: 'From the groups you picked' }).getByRole('article');
  await first.first().waitFor();
  assert.equal(await first.count(), 20);
  await fitsPhone('onboarding');
  await page
    .getByRole('heading', { name: 'Quick start: pick groups you like' })
    .scrollIntoViewIfNeeded();
  await screenshot(page, 'groups-onboarding', false);

  // The home page keeps showing them while the member has rated fewer than 15 movies.
  await page.goto('/');
  await page.getByRole('heading', { name: 'From the groups you picked' }).waitFor();
  await page.getByRole('heading', { name: 'Almost there!' }).waitFor();
  await fitsPhone('home');
});

test('the home page shows the ready lists', { skip }, async () => {
  await context.clearCookies();
  await page.goto('/');
  for (const name of ['Top rated', 'Recently released', 'New additions'])
    await page.getByRole('list', { name, exact: true }).getByRole('article').first().waitFor();
  await fitsPhone('visitor home');
});

test('the stats page draws its charts', { skip }, async () => {
  await suite.register(context, 'stats');
  await rateMovies(context.request, 'pageSize=5', (k) => 1 + k);
  await page.goto('/');
  await page.getByRole('button', { name: 'Menu' }).click();
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Your stats' })
    .click();
  await page.waitForURL('**/stats');
  const histogram = page.getByRole('img', { name: /^How you rate: / });
  await histogram.waitFor();
  assert.match(
    (await histogram.getAttribute('aria-label')) ?? '',
    /1 × 1 stars, 0 × 1.5 stars, 1 × 2 stars, 0 × 2.5 stars, 1 × 3 stars, 0 × 3.5 stars, 1 × 4 stars, 0 × 4.5 stars, 1 × 5 stars/,
  );
  await page
    .getByRole('img', { name: /^Your average rating and the site’s: you 3, everyone / })
    .waitFor();
  await page.getByRole('img', { name: /^Your ratings per month: \d{4}-\d{2}: 5$/ }).waitFor();
  // Chart.js drew into its canvases.
  const drawn = await page.$$eval('.stats-charts canvas', (canvases) =>
    canvases.map((canvas) => (canvas as HTMLCanvasElement).toDataURL().length),
  );
  assert.equal(drawn.length, 3);
  assert.ok(
    drawn.every((length) => length > 1000),
    `canvas sizes ${drawn.join(', ')}`,
  );
  await page.getByRole('heading', { name: 'Where you differ most' }).waitFor();
  await fitsPhone('stats');
  await screenshot(page, 'stats-page');
});

test('a movie page links to IMDb and TMDb, in a new tab without an opener', { skip }, async () => {
  await page.goto('/movies/42');
  const imdb = page.getByRole('link', { name: /^IMDb/ });
  await imdb.waitFor();
  assert.equal(await imdb.getAttribute('href'), 'https://www.imdb.com/title/tt0010042/');
  assert.equal(await imdb.getAttribute('target'), '_blank');
  assert.equal(await imdb.getAttribute('rel'), 'noopener noreferrer');
  assert.equal(
    await page.getByRole('link', { name: /^TMDb/ }).getAttribute('href'),
    'https://www.themoviedb.org/movie/42',
  );
  await page.goto('/movies/43');
  await page.getByRole('link', { name: /^IMDb/ }).waitFor();
  assert.equal(await page.getByRole('link', { name: /^TMDb/ }).count(), 0);
  await fitsPhone('movie');
  assert.deepEqual(suite.pageErrors, []);
});
