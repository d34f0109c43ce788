// Every page fits a phone: at a 390×844 viewport, with real content loaded (a member with ratings
// of the longest titles, a public username of 30 characters, a thread with an unbroken 150-character
// word; a researcher's experiment, model run and release), no page scrolls sideways
// (document scrollWidth ≤ clientWidth). Also the movie page's list of shared ratings: a public
// member appears by username (linking to the profile), an anonymous one as "a member" and not on
// their profile. Screenshots go to artifacts/screenshots/phone-*.png.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { APIRequestContext, Page } from 'playwright-core';
import { browserSkipReason, browserSuite, grantRole, screenshot } from './harness.ts';

type Who = 'visitor' | 'member' | 'admin';

/**
 * Every page of the site, as whom it is visited, and (optionally) what shows that its content
 * has loaded. `:movie`, `:username`, `:board`, `:thread`, `:experiment` are filled in from the
 * data the test sets up. New pages: append them here.
 */
const PAGES: Array<{ path: string; as: Who; ready?: string }> = [
  { path: '/', as: 'visitor', ready: '.movie-card' },
  { path: '/login', as: 'visitor', ready: 'form' },
  { path: '/signup', as: 'visitor', ready: 'form' },
  { path: '/reset-password', as: 'visitor', ready: 'form' },
  { path: '/explore', as: 'visitor', ready: '.movie-card' },
  { path: '/movies/:movie', as: 'visitor', ready: '.shared-ratings li' },
  { path: '/u/:username', as: 'visitor', ready: '.profile-ratings li' },
  { path: '/boards', as: 'visitor', ready: '.board-card' },
  { path: '/boards/:board', as: 'visitor', ready: 'tbody tr' },
  { path: '/threads/:thread', as: 'visitor', ready: '.posts li' },
  { path: '/', as: 'member', ready: '.movie-card' },
  { path: '/onboarding', as: 'member', ready: '.movie-card' },
  { path: '/explore', as: 'member', ready: '.movie-card' },
  { path: '/movies/:movie', as: 'member', ready: '.shared-ratings li' },
  { path: '/ratings', as: 'member', ready: 'tbody tr' },
  { path: '/privacy', as: 'member', ready: 'form' },
  { path: '/account', as: 'member', ready: 'form' },
  { path: '/u/:username', as: 'member', ready: '.profile-ratings li' },
  { path: '/boards', as: 'member', ready: '.board-card' },
  { path: '/boards/:board', as: 'member', ready: 'tbody tr' },
  { path: '/threads/:thread', as: 'member', ready: '.posts li' },
  { path: '/console', as: 'admin', ready: '[data-testid="ratings-per-day"] canvas' },
  { path: '/console/experiments', as: 'admin', ready: 'tr[data-experiment]' },
  { path: '/console/experiments/:experiment', as: 'admin', ready: '.console-reading' },
  { path: '/console/events', as: 'admin', ready: '.console-actions' },
  { path: '/console/runs', as: 'admin', ready: 'tr[data-run-status="done"]' },
  {
    path: '/console/releases',
    as: 'admin',
    ready: 'tr[data-release-status="passed"], tr[data-release-status="refused"]',
  },
  { path: '/console/admin', as: 'admin', ready: '.console-table tbody tr' },
  { path: '/stats', as: 'member', ready: 'canvas' },
  { path: '/lists', as: 'member', ready: 'h1' },
  { path: '/tags', as: 'member', ready: 'h1' },
  { path: '/tags/:tag', as: 'visitor', ready: '.movie-card' },
  { path: '/announcements', as: 'member', ready: 'h1' },
  { path: '/surveys', as: 'member', ready: 'h1' },
  { path: '/console/surveys', as: 'admin', ready: '.console-section' },
  { path: '/console/announcements', as: 'admin', ready: 'h2' },
  {
    path: '/console/recommender-choices',
    as: 'admin',
    ready: '[data-testid="recommender-choices"] table',
  },
];

const skip = browserSkipReason();
const PASSWORD = 'correct horse battery staple';
const PHONE = { width: 390, height: 844 };
const LONG_WORD = 'Supercalifragilistic'.repeat(8);
const suite = browserSuite(skip, PASSWORD);

interface Session {
  page: Page;
  /** Sends a JSON request with the session's CSRF token; fails unless it answers 2xx. */
  call: (method: string, path: string, data?: unknown) => Promise<unknown>;
}

async function csrfCaller(request: APIRequestContext): Promise<Session['call']> {
  const { csrfToken } = (await (await request.get('/api/session')).json()) as {
    csrfToken: string;
  };
  return async (method, path, data) => {
    const response = await request.fetch(path, {
      method,
      data,
      headers: { 'x-csrf-token': csrfToken },
    });
    assert.ok(response.ok(), `${method} ${path}: ${response.status()} ${await response.text()}`);
    return response.status() === 204 ? null : response.json();
  };
}

/** A newly registered member on a phone, with a page and an API caller. */
async function newMember(label: string): Promise<Session & { id: number }> {
  const { context, page, id } = await suite.newMember(label, PHONE, 30_000);
  return { page, id, call: await csrfCaller(context.request) };
}

/** The page's overflow, or null when it fits: widths and the elements sticking out, named. */
async function overflow(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const root = document.documentElement;
    if (root.scrollWidth <= root.clientWidth) return null;
    // The innermost elements that stick out (their children all fit). No named functions in
    // here: tsx would wrap them in a helper that the page does not have.
    const all = [...document.querySelectorAll('body *')];
    const out = new Set(
      all.filter(
        (element) =>
          element.getBoundingClientRect().right > root.clientWidth + 0.5 ||
          (element.scrollWidth > element.clientWidth + 1 &&
            getComputedStyle(element).overflowX === 'visible'),
      ),
    );
    const culprits = all
      .filter((element) => out.has(element) && ![...element.children].some((c) => out.has(c)))
      .slice(0, 5)
      .map((element) => {
        const classes = [...element.classList].map((name) => `.${name}`).join('');
        const right = Math.round(element.getBoundingClientRect().right);
        return `${element.tagName.toLowerCase()}${classes} (right edge ${right})`;
      });
    return `scrollWidth ${root.scrollWidth} > clientWidth ${root.clientWidth}: ${culprits.join(', ')}`;
  });
}

/** A star meter whose five stars or value break over two lines (null when none does). */
async function brokenMeter(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    for (const part of document.querySelectorAll('.star-meter-track, .star-meter-value')) {
      const { height } = part.getBoundingClientRect();
      const size = parseFloat(getComputedStyle(part).fontSize);
      if (height > 1.6 * size)
        return `a star meter's ${part.className} breaks: "${part.textContent}" ${height.toFixed(0)} px high at ${size} px`;
    }
    return null;
  });
}

test(
  'every page fits a 390 px phone; shared ratings on the movie page',
  { skip, timeout: 900_000 },
  async () => {
    const visitor = await suite.newPage(await suite.newContext(PHONE), 30_000);

    // The admin starts the slow jobs first: an evaluation run, a release and an experiment.
    const admin = await newMember('admin');
    await grantRole(suite.server, 'admin', admin.id);
    await admin.call('POST', '/api/console/runs', { kind: 'evaluate', algorithm: 'bias' });
    await admin.call('POST', '/api/console/releases', { preset: 'strict' });
    const stopsAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const experiment = (await admin.call('POST', '/api/console/experiments', {
      name: 'predicted-stars',
      hypothesis: `Members who see predicted stars rate more movies. ${LONG_WORD}`,
      population: 'all',
      variants: [
        { name: 'shown', weight: 1, description: LONG_WORD },
        { name: 'hidden', weight: 1 },
      ],
      stopsAt,
    })) as { id: number };
    await admin.call('POST', `/api/console/experiments/${experiment.id}/start`);

    // A member with a 30-character public username rates the longest titles of the popular movies.
    const member = await newMember('member');
    const username = `phone_${randomBytes(12).toString('hex')}`;
    await member.call('PATCH', '/api/me/privacy', { username, ratingsVisibility: 'public' });
    const popular = (await member.call('GET', '/api/movies?pageSize=100')) as {
      items: Array<{ id: number; title: string }>;
    };
    const movieId = popular.items[0].id;
    const longest = [...popular.items].sort((a, b) => b.title.length - a.title.length).slice(0, 24);
    for (const [i, movie] of [popular.items[0], ...longest].entries()) {
      await member.call('PUT', `/api/ratings/${movie.id}`, { rating: (i % 5) + 1 });
    }
    const boards = (await member.call('GET', '/api/boards')) as Array<{ slug: string }>;
    const thread = (await member.call('POST', `/api/boards/${boards[0].slug}/threads`, {
      title: `A very long thread title ${LONG_WORD}`,
      body: `A long word: ${LONG_WORD}\n\nA long link: https://example.org/${LONG_WORD}`,
    })) as { id: number };

    // Another member shares anonymously: on the movie page as "a member", not on their profile.
    const anonymous = await newMember('anonymous');
    const hiddenName = `hidden_${randomBytes(6).toString('hex')}`;
    await anonymous.call('PATCH', '/api/me/privacy', {
      username: hiddenName,
      ratingsVisibility: 'anonymous',
    });
    await anonymous.call('PUT', `/api/ratings/${movieId}`, { rating: 4 });
    // A long unbroken tag, for the tag pages.
    const tag = LONG_WORD.slice(0, 64);
    await member.call('POST', `/api/movies/${movieId}/tags`, { tag });

    const sessions: Record<Who, Page> = { visitor, member: member.page, admin: admin.page };
    const fill: Record<string, string> = {
      movie: String(movieId),
      username,
      board: boards[0].slug,
      thread: String(thread.id),
      experiment: String(experiment.id),
      tag: encodeURIComponent(tag),
    };
    const failures: string[] = [];
    for (const { path, as, ready } of PAGES) {
      const url = path.replace(/:(\w+)/g, (_, name: string) => fill[name] ?? `:${name}`);
      const page = sessions[as];
      await page.goto(url);
      if (ready) await page.locator(ready).first().waitFor({ timeout: 300_000 });
      await page.waitForLoadState('networkidle');
      const problem = (await overflow(page)) ?? (await brokenMeter(page));
      if (problem) failures.push(`${path} (as ${as}, ${url}): ${problem}`);
      await screenshot(page, `phone-${as}${path.replace(/[/:]+/g, '-').replace(/-$/, '')}`);
    }
    // The open menu too, with the member's long username in it.
    await member.page.goto('/ratings');
    await member.page.getByRole('button', { name: 'Menu' }).click();
    await member.page.getByText(username).waitFor();
    const menu = await overflow(member.page);
    if (menu) failures.push(`the open menu: ${menu}`);
    assert.deepEqual(
      failures,
      [],
      `pages wider than the phone, or star meters broken:\n${failures.join('\n')}`,
    );

    // The Privacy page says what each choice does.
    await member.page.goto('/privacy');
    const choices = member.page.getByRole('group', { name: 'Show my ratings' });
    await choices.getByText(/as “a member”: the stars and the month only/).waitFor();
    await choices.getByText(/treat them as public\s+knowledge/).waitFor();

    // The shared ratings: the public member by name with a link, the anonymous one unnamed.
    await visitor.goto(`/movies/${movieId}`);
    const shared = visitor.locator('.shared-ratings');
    await shared.getByRole('link', { name: username }).waitFor();
    assert.equal(
      await shared.getByRole('link', { name: username }).getAttribute('href'),
      `/u/${username}`,
    );
    await shared.getByText('a member').first().waitFor();
    assert.equal(await visitor.getByText(hiddenName).count(), 0);
    await visitor.goto(`/u/${hiddenName}`);
    await visitor.getByText(/keeps their ratings private/).waitFor();
    assert.equal(await visitor.locator('.profile-ratings li').count(), 0);

    // Switching to private removes the member from the list at once.
    await member.call('PATCH', '/api/me/privacy', { ratingsVisibility: 'private' });
    await visitor.goto(`/movies/${movieId}`);
    await shared.getByText('a member').first().waitFor();
    assert.equal(await shared.getByRole('link', { name: username }).count(), 0);

    assert.deepEqual(suite.pageErrors, []);
  },
);
