// The member's whole journey in real Chromium against the real server:
// sign up → log in too early (told to confirm, asks for the link again) → follow the e-mailed
// link (a wrong password is refused, the sign-up password creates the account) → onboarding (15 ratings) → recommendations shown → rate a movie → recommendations
// change → choose a username and share ratings → profile shows them → post on a board →
// log out and in → reset the password through the outbox e-mail → change the e-mail (through a
// link to the new address) → delete the account → the
// e-mail can sign up again (through a new link) as a new member. Screenshots of each main page
// go to artifacts/screenshots/.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Locator, Page, Response } from 'playwright-core';
import {
  browserSkipReason,
  launchBrowser,
  screenshot,
  SCREENSHOT_DIR,
  signupLinkPattern,
  startServer,
  waitForMail,
  type RunningServer,
} from './harness.ts';

const skip = browserSkipReason();

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

before(async () => {
  if (skip) return;
  rmSync(join(SCREENSHOT_DIR, 'failure.png'), { force: true });
  server = await startServer();
  browser = await launchBrowser();
  context = await browser.newContext({
    baseURL: server.baseUrl,
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.setDefaultNavigationTimeout(30_000);
  page.on('pageerror', (error) => pageErrors.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (/Content.Security.Policy|Refused to/i.test(message.text())) {
      pageErrors.push(`CSP: ${message.text()}`);
    }
  });
});

after(async () => {
  await context?.close().catch(() => {});
  await browser?.close().catch(() => {});
  await server?.stop();
});

/** Clicks and waits for the API answer the click causes; fails on an error status. */
interface MovieStats {
  average: number;
  count: number;
  histogram: number[];
}

const sum = (counts: number[]) => counts.reduce((total, count) => total + count, 0);
/** The mean of a histogram of one bar per half star (bar k holds (k + 1) / 2 stars). */
const mean = (counts: number[]) =>
  sum(counts.map((count, index) => (count * (index + 1)) / 2)) / Math.max(1, sum(counts));

/** An average as the page shows it: the API gives it exact, the page rounds it once (4.148 → 4.1). */
const shownAverage = (average: number) => Number(average.toFixed(1));

/**
 * The movie page's average, count and histogram as shown (accessible names and text), read in one
 * step: read one by one, a refetch landing between the reads would mix old and new statistics.
 */
async function movieStats(): Promise<MovieStats> {
  // One expression without inner functions (the test's transpiler would name them, and the
  // page knows nothing of its helper).
  const [averageLabel, averageText, chartLabel] = await page.evaluate(() => [
    document
      .querySelector('.stat-average [role="img"][aria-label^="Average "]')
      ?.getAttribute('aria-label') ?? '',
    (document.querySelector('.stat-average') as HTMLElement | null)?.innerText ?? '',
    document
      .querySelector('[role="img"][aria-label^="How members rated it: "]')
      ?.getAttribute('aria-label') ?? '',
  ]);
  const countText = /from ([\d.,\s\u00a0\u202f]+) rating/.exec(averageText)?.[1] ?? '';
  return {
    average: Number(/^Average (\d\.\d) out of 5$/.exec(averageLabel)?.[1] ?? NaN),
    count: Number(countText.replace(/\D/g, '')),
    histogram: [...chartLabel.matchAll(/(\d+) × [\d.]+ stars/g)].map((match) => Number(match[1])),
  };
}

/** Polls the movie page's statistics until `ready` holds (they are refetched after a save). */
async function waitForStats(ready: (stats: MovieStats) => boolean): Promise<MovieStats> {
  let stats = await movieStats();
  for (let tries = 0; !ready(stats) && tries < 100; tries++) {
    await page.waitForTimeout(100);
    stats = await movieStats();
  }
  assert.ok(ready(stats), `the movie page's statistics did not change: ${JSON.stringify(stats)}`);
  return stats;
}

async function clickAndWait(
  target: Locator,
  method: string,
  urlPart: string | RegExp,
  clickOptions?: Parameters<Locator['click']>[0],
): Promise<Response> {
  const matches = (response: Response) =>
    response.request().method() === method &&
    (typeof urlPart === 'string' ? response.url().includes(urlPart) : urlPart.test(response.url()));
  const [response] = await Promise.all([page.waitForResponse(matches), target.click(clickOptions)]);
  if (response.status() >= 400) {
    const body = await response.text().catch(() => '(no body)');
    assert.fail(`${method} ${response.url()} answered ${response.status()}: ${body}`);
  }
  return response;
}

/** Clicks a star slider at the right half of star `stars` (a whole-star rating) and waits. */
async function rateStars(slider: Locator, stars: number, urlPart: string): Promise<Response> {
  const track = slider.locator('.star-track');
  const box = (await track.boundingBox())!;
  const position = { x: (box.width * (stars - 0.25)) / 5, y: box.height / 2 };
  return clickAndWait(track, 'PUT', urlPart, { position });
}

function nav(name: string): Locator {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
}

/** The top picks on the home page, as { id, title } in order. */
async function topPicks(): Promise<Array<{ id: string; title: string }>> {
  const list = page.getByRole('list', { name: 'Top picks', exact: true });
  await list.getByRole('article').first().waitFor();
  return list
    .getByRole('heading', { level: 3 })
    .getByRole('link')
    .evaluateAll((links) =>
      links.map((link) => ({
        id: (link.getAttribute('href') ?? '').replace('/movies/', ''),
        title: link.textContent ?? '',
      })),
    );
}

async function sessionMemberId(): Promise<number | null> {
  return page.evaluate(async () => {
    const answer = (await (await fetch('/api/session')).json()) as {
      member: { id: number } | null;
    };
    return answer.member ? answer.member.id : null;
  });
}

/** The newest sign-up link mailed to `email`, once it is another than `previous`. */
async function newSignupLink(email: string, previous: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const [, link] = await waitForMail(server.outbox, signupLinkPattern(email));
    if (link !== previous) return link;
    if (Date.now() > deadline) assert.fail(`no new sign-up link for ${email}`);
    await new Promise((wake) => setTimeout(wake, 100));
  }
}

/** A mailed link to `address` (the newest): the first group of the pattern is its path. */
function linkPattern(address: string, path: string): RegExp {
  const to = address.toLowerCase().replace(/[.+]/g, '\\$&');
  return new RegExp(`^To: ${to}$[\\s\\S]*?(/${path}\\?token=[A-Za-z0-9_-]+)`, 'm');
}

/** Clicks and returns the answer to the request the click causes (`urlPart`), whatever its status. */
async function answerTo(target: Locator, urlPart: string): Promise<Response> {
  const [response] = await Promise.all([
    page.waitForResponse((answer) => answer.url().includes(urlPart)),
    target.click(),
  ]);
  return response;
}

/** Types the sign-up password on a sign-up link's page and submits; returns the answer. */
async function confirmSignup(password: string): Promise<Response> {
  await page.getByLabel('Password chosen at sign-up').fill(password);
  return answerTo(
    page.getByRole('button', { name: 'Confirm and log in' }),
    '/api/auth/register/verify',
  );
}

/** Fills the "E-mail" and "Password" fields of the sign-up or log-in form. */
async function fillCredentials(email: string, password: string): Promise<void> {
  await page.getByLabel('E-mail', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
}

async function logIn(email: string, password: string): Promise<void> {
  await fillCredentials(email, password);
  await clickAndWait(
    page.getByRole('button', { name: 'Log in', exact: true }),
    'POST',
    '/api/auth/login',
  );
}

async function logOut(): Promise<void> {
  await clickAndWait(page.getByRole('button', { name: 'Log out' }), 'POST', '/api/auth/logout');
  await page.waitForURL('**/login');
  await page.getByText('You are logged out').waitFor();
}

test('a member’s whole journey through lenslab', { skip, timeout: 300_000 }, async () => {
  try {
    await journey();
  } catch (error) {
    await screenshot(page, 'failure').catch(() => {});
    throw new Error(
      `${(error as Error).message}\n(at ${page.url()}; see artifacts/screenshots/failure.png)`,
      { cause: error },
    );
  }
});

async function journey(): Promise<void> {
  const suffix = randomBytes(4).toString('hex');
  const email = `journey-${suffix}@example.org`;
  const username = `journey_${suffix}`;
  const firstPassword = 'correct horse battery staple';
  const secondPassword = 'tulip marble lantern orbit';

  // --- Visitor home and sign up ---------------------------------------------------------
  await page.goto('/');
  await page.getByRole('heading', { name: 'Find movies you will love.' }).waitFor();
  await page.getByRole('list', { name: 'Popular movies' }).getByRole('article').first().waitFor();
  await screenshot(page, '01-visitor-home');

  await page.getByRole('link', { name: 'Sign up' }).click();
  await page.waitForURL('**/signup');
  await fillCredentials(email, firstPassword);
  await page.getByLabel('Include my ratings in research datasets').check();
  await screenshot(page, '02-signup');
  const registered = await clickAndWait(
    page.getByRole('button', { name: 'Create account' }),
    'POST',
    '/api/auth/register',
  );
  assert.equal(
    registered.status(),
    202,
    'sign-up answers "check your e-mail", whatever the address',
  );
  await page.getByRole('heading', { name: 'Check your e-mail' }).waitFor();
  assert.equal(await sessionMemberId(), null, 'nobody is logged in before the link is followed');
  await screenshot(page, '02b-check-your-email');
  const [, firstLink] = await waitForMail(server.outbox, signupLinkPattern(email));

  // --- Logging in before following the link: told to confirm, and a new link on request -----
  await page.goto('/login');
  await fillCredentials(email, firstPassword);
  const early = await answerTo(
    page.getByRole('button', { name: 'Log in', exact: true }),
    '/api/auth/login',
  );
  assert.equal(early.status(), 403, 'the sign-up password is told to confirm the address');
  await page.getByRole('alert').filter({ hasText: 'not confirmed yet' }).waitFor();
  await clickAndWait(
    page.getByRole('button', { name: 'Send the link again' }),
    'POST',
    '/api/auth/register/resend',
  );
  await page.getByText('a new link is on its way').waitFor();
  const signupLink = await newSignupLink(email, firstLink);
  await page.goto(firstLink);
  assert.equal((await confirmSignup(firstPassword)).status(), 400);
  await page.getByText('This link does not work').waitFor();
  assert.equal(await sessionMemberId(), null, 'the replaced link logs nobody in');

  // --- The link needs the sign-up password; then it creates the account and logs in --------
  await page.goto(signupLink);
  await page.getByText('Did not sign up to lenslab?').waitFor();
  const stranger = await confirmSignup('a password someone else chose');
  assert.equal(stranger.status(), 400, 'the link needs the password chosen at sign-up');
  await page.getByRole('alert').filter({ hasText: 'not the password chosen at sign-up' }).waitFor();
  assert.equal(await sessionMemberId(), null, 'a wrong password logs nobody in');
  await screenshot(page, '02c-confirm-account');
  assert.equal((await confirmSignup(firstPassword)).status(), 200);
  await page.waitForURL('**/onboarding');
  const firstMemberId = await sessionMemberId();
  assert.ok(firstMemberId !== null, 'the new member is logged in');

  // --- Onboarding: 15 ratings ------------------------------------------------------------
  const progress = page.getByRole('progressbar', { name: 'Onboarding progress' });
  assert.equal(await progress.getAttribute('aria-valuenow'), '0');
  const continueButton = page.getByRole('button', { name: /Rate 15 more to continue/ });
  assert.ok(await continueButton.isDisabled(), 'cannot continue before rating 15 movies');
  const picker = page.getByRole('list', { name: 'Movies to rate' });
  await picker.getByRole('article').nth(15).waitFor();
  const shownAtFirst = await picker.getByRole('article').count();
  await clickAndWait(
    page.getByRole('button', { name: 'Show more movies' }),
    'GET',
    '/api/onboarding/movies',
  );
  await picker.getByRole('article').nth(shownAtFirst).waitFor();
  const pattern = [5, 4, 5, 2, 4, 5, 1, 3, 4, 5, 2, 4, 5, 3, 4];
  for (let i = 0; i < pattern.length; i++) {
    const stars = pattern[i];
    const card = picker.getByRole('article').nth(i);
    await rateStars(
      card.getByRole('slider', { name: /^Your rating for / }),
      stars,
      '/api/ratings/',
    );
    await page.locator(`[role="progressbar"][aria-valuenow="${i + 1}"]`).waitFor();
    if (i === 6) await screenshot(page, '03-onboarding');
  }
  await page.getByText('15 of 15 rated').waitFor();
  await page.getByRole('button', { name: 'See my recommendations' }).click();
  await page.waitForURL(`${server.baseUrl}/`);

  // --- Recommendations shown ---------------------------------------------------------------
  const picksBefore = await topPicks();
  assert.ok(picksBefore.length >= 5, `top picks are shown (got ${picksBefore.length})`);
  const topPickList = page.getByRole('list', { name: 'Top picks', exact: true });
  assert.ok(
    (await topPickList.getByRole('img', { name: /^Predicted \d\.\d out of 5$/ }).count()) >= 5,
    'top picks carry predicted stars',
  );
  await topPickList.getByText('Because you rated').first().waitFor();
  await screenshot(page, '04-home-top-picks');

  // --- Rate a movie on its page → recommendations change -----------------------------------
  const { id: ratedId, title: rated } = picksBefore[0];
  await topPickList.locator(`h3 a[href="/movies/${ratedId}"]`).click();
  await page.waitForURL(`**/movies/${ratedId}`);
  await page.getByRole('heading', { level: 1, name: rated }).waitFor();
  await page
    .getByRole('img', { name: /^Predicted \d\.\d out of 5$/ })
    .first()
    .waitFor();
  await page
    .getByRole('figure', { name: /How members rated it/ })
    .locator('canvas')
    .waitFor();
  const yourRating = page.getByRole('slider', { name: `Your rating for ${rated}`, exact: true });
  // The average, count and histogram follow a rating and its removal without a reload.
  const statsBefore = await movieStats();
  assert.equal(statsBefore.histogram.length, 10, 'the histogram names its ten counts');
  assert.equal(sum(statsBefore.histogram), statsBefore.count);
  const oneStarMore = statsBefore.histogram.map((count, bar) => (bar === 1 ? count + 1 : count));
  await rateStars(yourRating, 1, '/api/ratings/');
  await page.getByText('Saved: you rated it 1 star.').waitFor();
  const statsRated = await waitForStats((stats) => stats.count === statsBefore.count + 1);
  assert.deepEqual(statsRated.histogram, oneStarMore, 'the histogram counts the new 1 star');
  assert.equal(
    statsRated.average,
    shownAverage(mean(oneStarMore)),
    `the average follows the rating (${mean(oneStarMore)})`,
  );
  if (mean(statsBefore.histogram) - mean(oneStarMore) > 0.1)
    assert.ok(statsRated.average < statsBefore.average, 'a 1-star rating lowers the average');
  await clickAndWait(
    page.getByRole('button', { name: 'Remove rating', exact: true }),
    'DELETE',
    '/api/ratings/',
  );
  await page.getByText('Your rating was removed.').waitFor();
  // The page may show the statistics of a refetch that began before the removal was counted;
  // the latest one wins, so wait for the page to settle on all three.
  const statsRemoved = await waitForStats(
    (stats) => JSON.stringify(stats) === JSON.stringify(statsBefore),
  );
  assert.deepEqual(statsRemoved, statsBefore, 'removing the rating restores the statistics');
  await rateStars(yourRating, 1, '/api/ratings/');
  await page.getByText('Saved: you rated it 1 star.').waitFor();
  assert.deepEqual(
    (await waitForStats((stats) => stats.count === statsBefore.count + 1)).histogram,
    oneStarMore,
  );
  assert.equal(await yourRating.getAttribute('aria-valuetext'), '1 out of 5');
  await page.getByRole('heading', { name: 'Similar movies' }).waitFor();
  await screenshot(page, '05-movie');

  await nav('Home').click();
  const afterRating = await topPicks();
  assert.notDeepEqual(afterRating, picksBefore, 'a new rating changes the recommendations');
  assert.ok(
    !afterRating.some((pick) => pick.id === ratedId),
    'the movie just rated is no longer recommended',
  );

  // --- Explore: search as you type, filters, sort ------------------------------------------
  await nav('Explore').click();
  await page.waitForURL('**/explore');
  const results = page.getByRole('list', { name: 'Search results' });
  await Promise.all([
    page.waitForResponse((response) => {
      const url = new URL(response.url());
      return url.pathname === '/api/movies' && url.searchParams.get('q') === rated;
    }),
    page.getByRole('searchbox', { name: 'Search' }).fill(rated),
  ]);
  await results.locator(`h3 a[href="/movies/${ratedId}"]`).waitFor();
  await Promise.all([
    page.waitForResponse((response) => response.url().includes('sort=average')),
    page.getByRole('combobox', { name: 'Sort by' }).selectOption('average'),
  ]);
  await Promise.all([
    page.waitForResponse(
      (response) => response.url().includes('/api/movies?') && !response.url().includes('q='),
    ),
    page.getByRole('searchbox', { name: 'Search' }).fill(''),
  ]);
  await Promise.all([
    page.waitForResponse((response) => response.url().includes('genre=Comedy')),
    page.getByRole('combobox', { name: 'Genre' }).selectOption('Comedy'),
  ]);
  await results.getByRole('article').first().waitFor();
  await screenshot(page, '06-explore');

  // --- Your ratings ----------------------------------------------------------------------
  await nav('Your ratings').click();
  await page.getByRole('heading', { name: 'Your ratings' }).waitFor();
  await page.getByText('16 movies rated').waitFor();
  const ratingRow = page
    .getByRole('row')
    .filter({ has: page.locator(`a[href="/movies/${ratedId}"]`) });
  await rateStars(ratingRow.getByRole('slider'), 3, `/api/ratings/${ratedId}`);
  await page.getByText(`${rated}: now 3 stars.`).waitFor();
  await screenshot(page, '07-your-ratings');

  // --- Choose a username and share ratings publicly ----------------------------------------
  await nav('Privacy').click();
  await page.getByRole('heading', { name: 'Privacy & preferences' }).waitFor();
  await page.getByLabel('Public username').fill(username);
  await page.getByLabel('Public, under my username').check();
  await clickAndWait(
    page.getByRole('button', { name: 'Save choices' }),
    'PATCH',
    '/api/me/privacy',
  );
  await page.getByText('Saved. Your choices apply right away.').waitFor();
  // Every radio button and checkbox is drawn the same size, however long its label.
  const boxSizes = await page.locator('.radio input, .check input').evaluateAll((inputs) =>
    inputs.map((input) => {
      const box = input.getBoundingClientRect();
      return `${box.width.toFixed(1)}×${box.height.toFixed(1)}`;
    }),
  );
  assert.ok(boxSizes.length >= 5, boxSizes.join(', '));
  assert.equal(new Set(boxSizes).size, 1, `boxes of different sizes: ${boxSizes.join(', ')}`);
  await screenshot(page, '08-privacy');

  // --- The profile shows them --------------------------------------------------------------
  await page.getByRole('link', { name: `/u/${username}` }).click();
  await page.waitForURL(`**/u/${username}`);
  await page.getByRole('heading', { level: 1, name: username }).waitFor();
  const shared = page.getByRole('list', { name: `Ratings by ${username}` });
  await shared.locator(`a[href="/movies/${ratedId}"]`).waitFor();
  assert.equal(await shared.locator(':scope > li').count(), 16, 'all 16 ratings are shared');
  await screenshot(page, '09-profile');

  // --- Post on a board (Markdown rendered, no script injection) ----------------------------
  await nav('Boards').click();
  const boards = page.getByRole('list', { name: 'Boards' });
  await boards.getByRole('link').first().click();
  await page.waitForURL('**/boards/*');
  await page.getByRole('heading', { name: 'Start a thread' }).waitFor();
  const threadTitle = `What should I watch after ${rated}?`;
  await page.getByLabel('Title').fill(threadTitle);
  await page
    .getByLabel('Message')
    .fill(
      '**Hello** from the _browser test_.\n\n<script>window.__pwned = 1</script>\n\n' +
        '<img src=x onerror="window.__pwned = 2">\n\n[a link](javascript:window.__pwned=3)',
    );
  await clickAndWait(page.getByRole('button', { name: 'Post thread' }), 'POST', /\/threads$/);
  await page.waitForURL('**/threads/*');
  await page.getByRole('heading', { level: 1, name: threadTitle }).waitFor();
  const post = page.getByRole('list', { name: 'Posts' }).locator(':scope > li').first();
  await post.locator('strong', { hasText: 'Hello' }).waitFor();
  assert.equal(
    await post
      .locator('.post-body script, .post-body img, .post-body a[href^="javascript:"]')
      .count(),
    0,
    'raw HTML and javascript: links are not rendered',
  );
  assert.equal(await page.evaluate(() => (window as { __pwned?: number }).__pwned), undefined);
  await post.getByRole('button', { name: 'Edit' }).click();
  await post.getByLabel('Edit your post').fill('**Hello** again, edited.');
  await clickAndWait(post.getByRole('button', { name: 'Save' }), 'PATCH', '/api/posts/');
  await post.getByText('again, edited.').waitFor();
  await page.getByLabel('Your reply').fill('A reply with a list:\n\n- one\n- two');
  await clickAndWait(page.getByRole('button', { name: 'Post reply' }), 'POST', /\/posts$/);
  const posts = page.getByRole('list', { name: 'Posts' }).locator(':scope > li');
  await posts.nth(1).getByRole('listitem').filter({ hasText: 'two' }).waitFor();
  await screenshot(page, '11-thread');
  page.once('dialog', (dialog) => void dialog.accept());
  await clickAndWait(posts.nth(1).getByRole('button', { name: 'Delete' }), 'DELETE', '/api/posts/');
  await page.waitForFunction(
    () => document.querySelectorAll('ol[aria-label="Posts"] > li').length === 1,
  );
  await page.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('link').nth(1).click();
  await page.getByRole('link', { name: threadTitle }).waitFor();
  await screenshot(page, '10-board');

  // --- Log out and in ----------------------------------------------------------------------
  await logOut();
  assert.equal(await sessionMemberId(), null, 'logged out');
  await logIn(email, firstPassword);
  await page.waitForURL(`${server.baseUrl}/`);
  await topPicks();
  assert.equal(await sessionMemberId(), firstMemberId);

  // --- The same pages on a phone-sized screen --------------------------------------------------
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, '13-mobile-home', false);
  await page.getByRole('button', { name: 'Menu' }).click();
  await nav('Explore').waitFor();
  await screenshot(page, '14-mobile-menu', false);
  await nav('Explore').click();
  await page.getByRole('list', { name: 'Search results' }).getByRole('article').first().waitFor();
  await page.setViewportSize({ width: 1280, height: 900 });

  // --- Reset the password through the outbox e-mail ----------------------------------------
  await logOut();
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.waitForURL('**/reset-password');
  // The URL changes before the page does: until then 'E-mail' is the login form's field.
  await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
  await page.getByLabel('E-mail', { exact: true }).fill(email);
  await clickAndWait(
    page.getByRole('button', { name: 'Send reset link' }),
    'POST',
    '/api/auth/password-reset',
  );
  await page.getByText('a reset link is on its way').waitFor();
  const [, token] = await waitForMail(
    server.outbox,
    /\/reset-password\?token=([A-Za-z0-9_\-.~%]+)/,
  );
  await page.goto(`/reset-password?token=${token}`);
  await page.getByLabel('New password', { exact: true }).fill(secondPassword);
  await page.getByLabel('Repeat new password').fill(secondPassword);
  await clickAndWait(
    page.getByRole('button', { name: 'Set new password' }),
    'POST',
    '/api/auth/password-reset/confirm',
  );
  await page.waitForURL('**/login');
  await page.getByText('Your password was changed').waitFor();
  await fillCredentials(email, firstPassword);
  const refused = await answerTo(
    page.getByRole('button', { name: 'Log in', exact: true }),
    '/api/auth/login',
  );
  assert.equal(refused.status(), 401, 'the old password no longer works');
  await page.getByRole('alert').getByText('Could not log in.').waitFor();
  await logIn(email, secondPassword);
  await page.waitForURL(`${server.baseUrl}/`);
  assert.equal(await sessionMemberId(), firstMemberId);

  // --- Account: download my data, then delete the account ----------------------------------
  await nav('Account').click();
  await page.getByText(email, { exact: true }).waitFor();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download my data' }).click(),
  ]);
  const exported = JSON.parse(readFileSync(await download.path(), 'utf8')) as Record<
    string,
    unknown
  >;
  assert.ok(Array.isArray(exported.ratings), 'the export carries the ratings');
  assert.equal((exported.ratings as unknown[]).length, 16);
  // A refused change shows the server's problem+json detail, and changes nothing.
  const changePassword = page.getByRole('form', { name: 'Change password' });
  await changePassword.getByLabel('Current password').fill('not my password at all');
  await changePassword.getByLabel('New password').fill('another long password');
  const wrong = await Promise.all([
    page.waitForResponse((response) => response.url().endsWith('/api/me/account')),
    changePassword.getByRole('button', { name: 'Change password' }).click(),
  ]);
  assert.equal(wrong[0].status(), 403);
  assert.match(wrong[0].headers()['content-type'] ?? '', /application\/problem\+json/);
  await changePassword
    .getByRole('alert')
    .filter({ hasText: 'Could not change the password.' })
    .filter({ hasText: 'current password is wrong' })
    .waitFor();
  await screenshot(page, '12-account');

  // --- Change the e-mail: it changes only through the link mailed to the new address ---------
  const newAddress = `journey-${suffix}-moved@example.org`;
  const changeEmail = page.getByRole('form', { name: 'Change e-mail' });
  await changeEmail.getByLabel('New e-mail').fill(newAddress);
  await changeEmail.getByLabel('Current password').fill(secondPassword);
  const asked = await clickAndWait(
    changeEmail.getByRole('button', { name: 'Change e-mail' }),
    'PATCH',
    '/api/me/account',
  );
  assert.equal(asked.status(), 202);
  await changeEmail.getByText('Check your new address').waitFor();
  await page.getByText(email, { exact: true }).waitFor();
  const [, confirmLink] = await waitForMail(
    server.outbox,
    linkPattern(newAddress, 'confirm-email'),
  );
  await page.goto(confirmLink);
  await page.getByText('Your e-mail address was changed').waitFor();
  await screenshot(page, '12b-email-changed');
  await page.getByRole('link', { name: 'Back to your account' }).click();
  await page.getByText(newAddress, { exact: true }).waitFor();
  const oldAddress = email.replace(/[.+]/g, '\\$&');
  await waitForMail(
    server.outbox,
    new RegExp(`^To: ${oldAddress}$[\\s\\S]*?Your lenslab e-mail was changed`, 'm'),
  );

  await page.getByLabel('Password to confirm').fill(secondPassword);
  await page.getByRole('button', { name: 'Delete my account…' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Delete your account now?' });
  await clickAndWait(
    confirm.getByRole('button', { name: 'Yes, delete everything' }),
    'DELETE',
    '/api/me',
  );
  await page.waitForURL('**/signup');
  await page.getByText('Your account and all its data were deleted').waitFor();
  assert.equal(await sessionMemberId(), null, 'deleting the account logs out');
  const profileGone = await page.evaluate(
    async (name) => (await fetch(`/api/users/${name}`)).status,
    username,
  );
  assert.equal(profileGone, 404, 'the public profile is gone');

  // --- The e-mail can register again, as a new member --------------------------------------
  await fillCredentials(email, firstPassword);
  const again = await clickAndWait(
    page.getByRole('button', { name: 'Create account' }),
    'POST',
    '/api/auth/register',
  );
  assert.equal(again.status(), 202);
  await page.getByRole('heading', { name: 'Check your e-mail' }).waitFor();
  await page.goto(await newSignupLink(email, signupLink));
  assert.equal((await confirmSignup(firstPassword)).status(), 200);
  await page.waitForURL('**/onboarding');
  assert.equal(await progress.getAttribute('aria-valuenow'), '0', 'the new member has no ratings');
  const secondMemberId = await sessionMemberId();
  assert.ok(secondMemberId !== null && secondMemberId !== firstMemberId, 'a new member id');

  assert.deepEqual(pageErrors, [], 'no uncaught errors or CSP violations in the page');
}
