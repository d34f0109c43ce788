// Half stars in real Chromium on a 390 px phone screen: a member rates one movie 3.5 with the
// keyboard (arrow keys in half steps, Enter saves) and another 3.5 with a click on the left half
// of the fourth star; both are saved (the API returns them), shown after a reload, and listed
// on "Your ratings". A movie whose exact average two roundings would push up (4.148 → 4.15 →
// 4.2) shows it rounded once. Screenshots go to artifacts/screenshots/half-stars-*.png.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { browserSkipReason, browserSuite, PHONE, screenshot } from './harness.ts';

const skip = browserSkipReason();
const suite = browserSuite(skip);

/** The member's context and page (phone-sized), opened by the test. */
let context: BrowserContext;
let page: Page;

interface Movie {
  id: number;
  title: string;
  averageRating: number | null;
  ratingsCount: number;
}

async function moviesPage(pageNumber: number): Promise<Movie[]> {
  const response = await context.request.get(
    `/api/movies?sort=popularity&pageSize=100&page=${pageNumber}`,
  );
  return ((await response.json()) as { items: Movie[] }).items;
}

/** The member's rating of a movie, as the API returns it. */
async function savedRating(movieId: number): Promise<number | null> {
  const response = await context.request.get(`/api/movies/${movieId}`);
  return ((await response.json()) as { yourRating: number | null }).yourRating;
}

async function openMovie(movie: Movie): Promise<Locator> {
  await page.goto(`/movies/${movie.id}`);
  await page.getByRole('heading', { level: 1, name: movie.title }).waitFor();
  return page.getByRole('slider', { name: `Your rating for ${movie.title}`, exact: true });
}

/** The page is no wider than the phone's screen. */
async function assertFitsPhone(): Promise<void> {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `the page is ${width} px wide`);
}

/** The PUT of `movie`'s rating that `gesture` causes (with `rating`), once it succeeded. */
async function saved(movie: Movie, rating: number, gesture: () => Promise<void>): Promise<void> {
  const [response] = await Promise.all([
    page.waitForResponse(
      (r) =>
        r.request().method() === 'PUT' &&
        r.url().endsWith(`/api/ratings/${movie.id}`) &&
        (JSON.parse(r.request().postData() ?? '{}') as { rating?: number }).rating === rating,
    ),
    gesture(),
  ]);
  assert.equal(response.status(), 200, await response.text());
  assert.equal(((await response.json()) as { rating: number }).rating, rating);
  // The widget takes the next gesture once the page has the answer.
  await page.locator('.star-rating[role="slider"]:not(.is-busy)').first().waitFor();
}

test(
  'a member rates 3.5 stars by keyboard and by click; the average is rounded once',
  { skip, timeout: 300_000 },
  async () => {
    ({ context, page } = await suite.newMember('stars', PHONE));
    const popular = await moviesPage(1);
    const [byKeyboard, byClick] = popular;

    // --- Keyboard: seven half steps up from "not rated", then Enter ---------------------------
    const slider = await openMovie(byKeyboard);
    assert.equal(await slider.getAttribute('aria-valuetext'), 'not rated');
    await slider.focus();
    // Enter saves at once; a pause would too (whichever comes first, one PUT of 3.5).
    await saved(byKeyboard, 3.5, async () => {
      for (let step = 0; step < 7; step++) await slider.press('ArrowRight');
      assert.equal(await slider.getAttribute('aria-valuetext'), '3.5 out of 5');
      assert.equal(await slider.getAttribute('aria-valuenow'), '3.5');
      await slider.press('Enter');
    });
    await page.getByText('Saved: you rated it 3.5 stars.').waitFor();
    assert.equal(await savedRating(byKeyboard.id), 3.5);
    await assertFitsPhone();
    await screenshot(page, 'half-stars-keyboard');
    await page.reload();
    const reloaded = await openMovie(byKeyboard);
    assert.equal(
      await reloaded.getAttribute('aria-valuetext'),
      '3.5 out of 5',
      'shown after reload',
    );

    // --- Pointer: the left half of the fourth star is 3.5 -------------------------------------
    const clickSlider = await openMovie(byClick);
    const track = clickSlider.locator('.star-track');
    const box = (await track.boundingBox())!;
    const fourthStarLeftHalf = { x: box.width * 0.65, y: box.height / 2 };
    await saved(byClick, 3.5, () => track.click({ position: fourthStarLeftHalf }));
    await page.getByText('Saved: you rated it 3.5 stars.').waitFor();
    assert.equal(await clickSlider.getAttribute('aria-valuetext'), '3.5 out of 5');
    assert.equal(await savedRating(byClick.id), 3.5);
    // The right half of the same star is the whole star.
    const fourthStarRightHalf = { x: box.width * 0.75, y: box.height / 2 };
    await saved(byClick, 4, () => track.click({ position: fourthStarRightHalf }));
    await saved(byClick, 3.5, () => track.click({ position: fourthStarLeftHalf }));

    // --- Your ratings lists both at 3.5 --------------------------------------------------------
    await page.goto('/ratings');
    await page.getByRole('heading', { name: 'Your ratings' }).waitFor();
    for (const movie of [byKeyboard, byClick])
      assert.equal(
        await page
          .getByRole('slider', { name: `Your rating for ${movie.title}`, exact: true })
          .getAttribute('aria-valuetext'),
        '3.5 out of 5',
      );
    await assertFitsPhone();
    await screenshot(page, 'half-stars-your-ratings');

    // --- The average, rounded once ---------------------------------------------------------------
    // A movie whose exact mean lies in [x.x45, x.x5): two roundings (to 2 decimals, then to 1)
    // would show one tenth more than the one rounding the page must do.
    const twiceRounded = (mean: number) => (Math.round(mean * 100) / 100).toFixed(1);
    let borderline: Movie | undefined;
    for (let pageNumber = 1; !borderline && pageNumber <= 30; pageNumber++) {
      const movies = pageNumber === 1 ? popular : await moviesPage(pageNumber);
      if (movies.length === 0) break;
      borderline = movies.find(
        (m) =>
          m.averageRating !== null &&
          ![byKeyboard.id, byClick.id].includes(m.id) &&
          twiceRounded(m.averageRating) !== m.averageRating.toFixed(1),
      );
    }
    assert.ok(borderline, 'the demo catalog has a movie whose average two roundings would change');
    await openMovie(borderline);
    const average = page.locator('.stat-average').getByRole('img', { name: /^Average / });
    assert.equal(
      await average.getAttribute('aria-label'),
      `Average ${borderline.averageRating!.toFixed(1)} out of 5`,
      `the exact mean ${borderline.averageRating} rounded once`,
    );
    const histogram = await page
      .getByRole('img', { name: /^How members rated it: / })
      .getAttribute('aria-label');
    const counts = [...(histogram ?? '').matchAll(/(\d+) × ([\d.]+) stars/g)];
    assert.equal(counts.length, 10, 'one bar per half star');
    assert.equal(
      counts.reduce((total, [, count]) => total + Number(count), 0),
      borderline.ratingsCount,
    );
    await assertFitsPhone();
    await screenshot(page, 'half-stars-average');
    assert.deepEqual(suite.pageErrors, []);
  },
);
