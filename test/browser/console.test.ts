// The researcher console in real Chromium against the real server: a member is made researcher
// with `lenslab users grant`, opens the console (overview charts), creates a `predicted-stars`
// experiment (shown / hidden) and starts it; several members then see predicted stars or not
// according to their variant; the results page renders a chart per metric; an admin sees the
// roles, audit log and identity lookup; a release is started from the Releases section and its
// gate outcome and report are listed. Screenshots go to artifacts/screenshots/console-*.png.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import {
  DESKTOP,
  PHONE,
  browserSkipReason,
  browserSuite,
  grantRole,
  screenshot,
} from './harness.ts';

const skip = browserSkipReason();
const PASSWORD = 'correct horse battery staple';
const suite = browserSuite(skip, PASSWORD);
const pageErrors = suite.pageErrors;

interface Session {
  context: BrowserContext;
  page: Page;
  id: number;
}

/** A fresh browser context with a newly registered, logged-in member. */
function newMember(label: string): Promise<Session> {
  return suite.newMember(label, DESKTOP);
}

const grant = (role: 'researcher' | 'admin', memberId: number) =>
  grantRole(suite.server, role, memberId);

test(
  'researcher console: predicted-stars experiment, members see their variant, results',
  { skip, timeout: 600_000 },
  async () => {
    // A plain member sees no Console link, and the console refuses them.
    const plain = await newMember('plain');
    await plain.page.goto('/');
    await plain.page.getByRole('link', { name: 'Explore' }).first().waitFor();
    assert.equal(await plain.page.getByRole('link', { name: 'Console' }).count(), 0);
    assert.equal((await plain.context.request.get('/api/console/overview')).status(), 403);

    const researcher = await newMember('researcher');
    await grant('researcher', researcher.id);
    const page = researcher.page;
    await page.goto('/');
    await page.getByRole('link', { name: 'Console' }).click();
    await page.getByRole('heading', { name: 'Dataset overview' }).waitFor();
    await page.getByTestId('ratings-per-day').locator('canvas').waitFor();
    await page.getByTestId('rating-distribution').locator('canvas').waitFor();
    await screenshot(page, 'console-overview');

    // Create the experiment (the form starts with predicted-stars: shown / hidden).
    await page.getByRole('link', { name: 'Experiments' }).click();
    const form = page.getByRole('form', { name: 'New experiment' });
    await form.getByLabel('Hypothesis').fill('Members who see predicted stars rate more movies.');
    // A negative weight is refused with the field named.
    await form.getByLabel('Variant 2 weight').fill('-1');
    await form.getByRole('button', { name: 'Create experiment' }).click();
    await form.getByRole('alert').filter({ hasText: 'variants[1].weight' }).waitFor();
    await form.getByLabel('Variant 2 weight').fill('1');
    await form.getByRole('button', { name: 'Create experiment' }).click();
    await form.getByRole('status').filter({ hasText: 'predicted-stars' }).waitFor();
    const row = page.locator('tr[data-experiment="predicted-stars"]');
    await row.getByText('draft').waitFor();
    await row.getByRole('button', { name: 'Start' }).click();
    await row.getByText('running').waitFor();
    await screenshot(page, 'console-experiments');

    // Members see different variants: predicted stars on cards for "shown", none for "hidden".
    const seen = new Map<string, Session>();
    for (let i = 0; i < 24 && seen.size < 2; i++) {
      const member = await newMember(`viewer${i}`);
      const variants = (await (
        await member.context.request.get('/api/me/experiments')
      ).json()) as Record<string, string>;
      const variant = variants['predicted-stars'];
      assert.ok(variant === 'shown' || variant === 'hidden', JSON.stringify(variants));
      const answered = member.page.waitForResponse((response) =>
        response.url().endsWith('/api/me/experiments'),
      );
      await member.page.goto('/explore');
      await answered;
      await member.page.locator('.movie-card').first().waitFor();
      // The cards re-render once the variants arrived: wait for the variant's look (or time out).
      const predicted = member.page.locator('.movie-card .star-meter-predicted');
      if (variant === 'hidden') {
        await predicted.first().waitFor({ state: 'detached', timeout: 10_000 });
        assert.equal(await predicted.count(), 0, `member ${member.id} is in hidden`);
      } else {
        await predicted.first().waitFor({ timeout: 10_000 });
        assert.ok((await predicted.count()) > 0, `member ${member.id} is in shown`);
      }
      if (!seen.has(variant)) {
        seen.set(variant, member);
        await screenshot(member.page, `console-member-${variant}`, false);
      }
    }
    assert.deepEqual([...seen.keys()].sort(), ['hidden', 'shown']);

    // The results page renders: members per variant and a chart per metric with its reading.
    await page.getByRole('link', { name: 'Results' }).first().click();
    await page.getByTestId('experiment-results').waitFor();
    for (const metric of ['ratingsPerMember', 'clickThrough', 'meanAbsoluteError']) {
      await page.getByTestId(`metric-${metric}`).locator('canvas').waitFor();
    }
    const exposed =
      Number(await page.getByTestId('exposed-shown').textContent()) +
      Number(await page.getByTestId('exposed-hidden').textContent());
    assert.ok(exposed >= 2, `exposed members: ${exposed}`);
    assert.ok((await page.locator('.console-reading').count()) === 3);
    await screenshot(page, 'console-results');

    // Model runs: an evaluation runs in the background and fills the results table.
    await page.getByRole('link', { name: 'Model runs' }).click();
    const runForm = page.getByRole('form', { name: 'Start a run' });
    await runForm.getByLabel('Algorithm').selectOption('bias');
    await runForm.getByRole('button', { name: 'Start' }).click();
    await page.locator('tr[data-run-status="done"]').waitFor({ timeout: 120_000 });
    await screenshot(page, 'console-runs');

    // Releases: a preset release runs in the background; the list shows its gate outcome, the
    // re-identification figures and a link to its privacy report. No mapping is offered.
    assert.equal((await plain.context.request.get('/api/console/releases')).status(), 403);
    await page.getByRole('link', { name: 'Releases' }).click();
    await page.getByRole('heading', { name: 'Dataset releases' }).waitFor();
    const releaseForm = page.getByRole('form', { name: 'Start a release' });
    assert.equal(await releaseForm.getByLabel(/mapping/i).count(), 0);
    await releaseForm.getByLabel('Policy', { exact: true }).selectOption('default');
    await releaseForm.getByRole('button', { name: 'Start release' }).click();
    const finished = page
      .locator('tr[data-release-status="passed"], tr[data-release-status="refused"]')
      .first();
    await finished.waitFor({ timeout: 300_000 });
    const reportLink = finished.getByRole('link', { name: 'privacy-report.html' });
    const href = await reportLink.getAttribute('href');
    assert.ok(href);
    const report = await researcher.context.request.get(href);
    assert.equal(report.status(), 200);
    assert.match(await report.text(), /<html/i);
    // Every adversary the gate judges is listed with its limit, the stronger ones too; a share
    // above its limit is marked, and only a refused release has one.
    const adversaries = finished
      .getByRole('list', { name: /^Re-identified in / })
      .getByRole('listitem');
    const lines = await adversaries.allTextContents();
    assert.ok(lines.length >= 8, lines.join(' | '));
    assert.ok(
      lines.some((line) =>
        /^m=12, w=0, no dates, policy-aware: \d+\.\d% \(limit 10\.0%\)$/.test(line),
      ),
      lines.join(' | '),
    );
    assert.ok(lines.some((line) => /^m=8, w=2, D=14: \d+\.\d% \(limit 5\.0%\)$/.test(line)));
    const marked = await finished.locator('li[data-above-limit]').count();
    const status = await finished.getAttribute('data-release-status');
    if (status === 'passed') assert.equal(marked, 0);
    // What the release keeps for research: the utility model's change and the leaderboard's τ.
    assert.match((await finished.textContent()) ?? '', /RMSE [+−]\d+\.\d%.*nDCG@10 \d+% kept/);
    assert.match((await finished.textContent()) ?? '', /leaderboard τ -?\d\.\d\d \/ -?\d\.\d\d/);
    // The taste model the swap dealt by, chosen by its fit to the members.
    assert.match(
      (await finished.textContent()) ?? '',
      /swap dealt by (ALS|item-kNN) \(held-out RMSE \d\.\d{4}; (ALS|item-kNN) \d\.\d{4}\)/,
    );
    await screenshot(page, 'console-releases');
    // On a phone each release is a card whose cells name their columns: nothing scrolls sideways.
    await page.setViewportSize(PHONE);
    const releasesBox = page.locator('.table-scroll', {
      has: page.getByRole('table', { name: 'Releases' }),
    });
    const sideways = await releasesBox.evaluate((box) => box.scrollWidth - box.clientWidth);
    assert.ok(sideways <= 0, `the releases table scrolls sideways by ${sideways} px on a phone`);
    const pageSideways = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    assert.ok(pageSideways <= 0, `the page scrolls sideways by ${pageSideways} px on a phone`);
    const gateLabel = await finished
      .locator('td[data-label="Gate"]')
      .evaluate((cell) => getComputedStyle(cell, '::before').content);
    assert.equal(gateLabel, '"Gate"');
    await screenshot(page, 'console-releases-phone');
    await page.setViewportSize(DESKTOP);

    // A researcher has no Admin tab and the admin API refuses them; an admin has it.
    assert.equal(await page.getByRole('link', { name: 'Admin' }).count(), 0);
    assert.equal((await researcher.context.request.get('/api/console/admin/audit')).status(), 403);
    const admin = await newMember('admin');
    await grant('admin', admin.id);
    await admin.page.goto('/console/admin');
    await admin.page.getByRole('heading', { name: 'Access-audit log' }).waitFor();
    const lookup = admin.page.getByRole('form', { name: 'Identity lookup' });
    await lookup.getByLabel('Member id').fill(String(plain.id));
    await lookup.getByLabel('Reason').fill('Checking the console end to end');
    await lookup.getByRole('button', { name: 'Look up' }).click();
    await lookup.getByRole('status').filter({ hasText: '@example.org' }).waitFor();
    await screenshot(admin.page, 'console-admin');

    assert.deepEqual(pageErrors, []);
  },
);
