// Member lists and tags in real Chromium against the real server: a member with recommendations
// hides their top pick ("Not interested") and it leaves the top picks; puts another on the
// wishlist; sees both on "My lists" and undoes one; tags a movie, is refused a tag holding an
// e-mail address, and opens the tag's page. Every page fits a 390 px phone screen.
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

let page: Page;

/** A new member who rated 15 popular movies through the API (so recommendations start). */
async function onboardedMember(): Promise<void> {
  const member = await suite.newMember('lists', DESKTOP);
  await rateMovies(member.context.request, 'sort=popularity&pageSize=15', () => 4);
  page = member.page;
}

async function topPickIds(): Promise<string[]> {
  await page.goto('/');
  const list = page.getByRole('list', { name: 'Top picks', exact: true });
  await list.getByRole('article').first().waitFor();
  return list
    .getByRole('heading', { level: 3 })
    .getByRole('link')
    .evaluateAll((links) =>
      links.map((link) => (link.getAttribute('href') ?? '').split('/').pop()!),
    );
}

async function fitsPhone(name: string): Promise<void> {
  await page.setViewportSize(PHONE);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `${name} is ${width} px wide on a 390 px screen`);
  await screenshot(page, `lists-${name}-phone`);
  await page.setViewportSize(DESKTOP);
}

test('hide, wishlist, undo, tag and the tag page', { skip }, async () => {
  await onboardedMember();
  const before = await topPickIds();
  assert.ok(before.length >= 3, `top picks are shown (got ${before.length})`);
  const [hidden, wanted] = before;

  await page.goto(`/movies/${hidden}`);
  const notInterested = page.getByRole('button', { name: 'Not interested' });
  await notInterested.click();
  await page.getByRole('button', { name: '✓ Hidden' }).waitFor();
  assert.equal(
    await page.getByRole('button', { name: '✓ Hidden' }).getAttribute('aria-pressed'),
    'true',
  );
  const after = await topPickIds();
  assert.ok(!after.includes(hidden), 'the hidden movie left the top picks');
  assert.equal(after[0], wanted, 'the next pick moved up');

  await page.goto(`/movies/${wanted}`);
  await page.getByRole('button', { name: 'Want to watch' }).click();
  await page.getByRole('button', { name: '✓ On your wishlist' }).waitFor();
  await fitsPhone('movie');

  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'My lists' })
    .click();
  await page.waitForURL('**/lists');
  const wishlist = page.getByRole('list', { name: 'Want to watch', exact: true });
  const hiddenList = page.getByRole('list', { name: 'Not interested', exact: true });
  await wishlist.getByRole('article').first().waitFor();
  assert.equal(await wishlist.getByRole('article').count(), 1);
  assert.equal(await hiddenList.getByRole('article').count(), 1);
  await fitsPhone('my-lists');
  await hiddenList.getByRole('button', { name: 'Unhide' }).click();
  await page.getByText('No hidden movies.').waitFor();
  assert.ok((await topPickIds()).includes(hidden), 'unhidden, it may be recommended again');

  // Tags: one with an e-mail address is refused with a clear message; a good one links to its page.
  await page.goto(`/movies/${wanted}`);
  const tagField = page.getByLabel('Add a tag');
  await tagField.fill('ask me: fan@example.org');
  await page.getByRole('button', { name: 'Add tag' }).click();
  await page.getByText(/must not contain an e-mail address/).waitFor();
  await tagField.fill('  Time   travel ');
  await page.getByRole('button', { name: 'Add tag' }).click();
  const tags = page.getByRole('list', { name: 'Tags of this movie' });
  await tags.getByRole('link', { name: 'Time travel' }).waitFor();
  assert.equal(await tags.getByRole('listitem').count(), 1, 'the refused tag was not stored');
  await tags.getByRole('link', { name: 'Time travel' }).click();
  await page.waitForURL('**/tags/Time%20travel');
  await page.getByRole('heading', { name: 'Tagged “Time travel”' }).waitFor();
  const tagged = page.getByRole('list', { name: 'Movies tagged Time travel' });
  assert.equal(await tagged.getByRole('article').count(), 1);
  assert.match((await tagged.textContent()) ?? '', /tagged by 1 member/);
  await fitsPhone('tag-page');

  // Tag search finds it by its first letters, whatever the case.
  await page.goto('/tags');
  await page.getByLabel('Find a tag').fill('TIME');
  await page
    .getByRole('list', { name: 'Tags' })
    .getByRole('link', { name: 'Time travel' })
    .waitFor();
  assert.deepEqual(suite.pageErrors, []);
});
