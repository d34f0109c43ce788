// A research survey in real Chromium against the real server: a researcher defines it and an
// admin approves it (through the API, roles granted with `lenslab users grant`); a member finds
// it under Surveys, reads its privacy statement, accepts, answers every kind of question, and
// withdraws; the pages fit a 390 px phone screen; the researcher's results page draws its charts.
// Screenshots go to artifacts/screenshots/survey-*.png.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import type { APIRequestContext, Browser, BrowserContext, Page } from 'playwright-core';
import { statement, surveyDefinition } from '../helpers/surveys.ts';
import {
  browserSkipReason,
  launchBrowser,
  registerAndVerify,
  REPO_ROOT,
  screenshot,
  startServer,
  type RunningServer,
} from './harness.ts';

const skip = browserSkipReason();
const run = promisify(execFile);
const PASSWORD = 'correct horse battery staple';

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

before(async () => {
  if (skip) return;
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close().catch(() => {});
  await server?.stop();
});

async function newMember(label: string) {
  const context = await browser.newContext({
    baseURL: server.baseUrl,
    viewport: { width: 1280, height: 900 },
  });
  contexts.push(context);
  const email = `${label}.${randomBytes(4).toString('hex')}@example.org`;
  const id = await registerAndVerify(context.request, server, email, PASSWORD);
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (error) => pageErrors.push(`uncaught: ${error.message}`));
  return { context, page, id };
}

async function grant(role: 'researcher' | 'admin', memberId: number): Promise<void> {
  await run(
    process.execPath,
    [
      '--import',
      'tsx',
      join(REPO_ROOT, 'src/cli/main.ts'),
      'users',
      'grant',
      '--db',
      server.dbPath,
    ].concat(['--role', role, String(memberId), '--json']),
    { cwd: REPO_ROOT },
  );
}

/** A state-changing API call with the session's CSRF token, as the web app sends it. */
async function post(request: APIRequestContext, url: string, data?: unknown) {
  const session = (await (await request.get('/api/session')).json()) as { csrfToken: string };
  const response = await request.post(url, {
    data,
    headers: { 'x-csrf-token': session.csrfToken },
  });
  assert.ok(response.ok(), `${url}: ${response.status()} ${await response.text()}`);
  return (await response.json()) as { id: number };
}

/** The elements that stick out of the window on the right (none: no sideways scrolling). */
const overflowing = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('body *')]
      .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
      .slice(0, 5)
      .map((element) => `${element.tagName.toLowerCase()}.${element.className}`),
  );

test(
  'a member accepts a survey’s statement, answers it and withdraws',
  { skip, timeout: 600_000 },
  async () => {
    const researcher = await newMember('researcher');
    await grant('researcher', researcher.id);
    await grant('admin', researcher.id);
    const movies = (await (
      await researcher.context.request.get('/api/movies?sort=popularity&pageSize=2')
    ).json()) as {
      items: Array<{ id: number; title: string }>;
    };
    const survey = await post(
      researcher.context.request,
      '/api/console/surveys',
      surveyDefinition(movies.items.map((m) => m.id)),
    );
    await post(researcher.context.request, `/api/console/admin/surveys/${survey.id}/approve`);

    const { page } = await newMember('member');
    await page.goto('/');
    await page.getByRole('link', { name: 'Surveys' }).first().click();
    await page.getByRole('link', { name: 'Movie night habits' }).click();
    const statementBox = page.getByRole('region', { name: 'Privacy statement of this survey' });
    await statementBox.getByText(statement.retention).waitFor();
    await screenshot(page, 'survey-statement');
    // No questions before the statement is accepted.
    assert.equal(await page.getByRole('form', { name: 'Survey questions' }).count(), 0);
    await page.getByRole('button', { name: 'Accept and take part' }).click();

    const form = page.getByRole('form', { name: 'Survey questions' });
    await form.getByRole('radio', { name: 'cinema' }).check();
    await form.getByRole('checkbox', { name: 'friends' }).check();
    await form
      .getByRole('group', { name: 'How much do you trust our recommendations?' })
      .getByRole('radio', { name: '4' })
      .check();
    await form.getByLabel('Your answer').fill('More westerns, please.');
    await form
      .getByRole('group', { name: `Your rating of ${movies.items[0].title}` })
      .getByRole('button', { name: '5 stars' })
      .click();
    await form.getByRole('button', { name: 'Save my answers' }).click();
    await page.getByRole('status').filter({ hasText: 'your answers are saved' }).waitFor();
    const saved = (await (await page.request.get(`/api/surveys/${survey.id}`)).json()) as {
      answers: Record<string, unknown>;
    };
    assert.deepEqual(saved.answers, {
      q1: 1,
      q2: [1],
      q3: 4,
      q4: 'More westerns, please.',
      q5: { [String(movies.items[0].id)]: 5 },
    });

    // On a phone the survey fits the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    assert.deepEqual(await overflowing(page), [], 'the survey page scrolls sideways at 390 px');
    await screenshot(page, 'survey-answered-mobile');
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.getByRole('button', { name: 'Withdraw from this survey' }).click();
    await page.getByRole('button', { name: 'Accept and take part' }).waitFor();
    const withdrawn = (await (await page.request.get(`/api/surveys/${survey.id}`)).json()) as {
      participation: string | null;
      answers: unknown;
    };
    assert.deepEqual([withdrawn.participation, withdrawn.answers], [null, null]);

    // The researcher's results page draws its charts (nobody answered after the withdrawal).
    await researcher.page.goto(`/console/surveys/${survey.id}`);
    await researcher.page.getByTestId('survey-results').getByText('0 members answered').waitFor();
    await researcher.page.locator('canvas').first().waitFor();
    await researcher.page.setViewportSize({ width: 390, height: 844 });
    assert.deepEqual(
      await overflowing(researcher.page),
      [],
      'the results page scrolls sideways at 390 px',
    );
    assert.deepEqual(pageErrors, []);
  },
);
