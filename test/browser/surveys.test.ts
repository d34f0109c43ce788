// A research survey in real Chromium against the real server: a researcher defines it and an
// admin approves it (through the API, roles granted with `lenslab users grant`); a member finds
// it under Surveys, reads its privacy statement, accepts, answers every kind of question, and
// withdraws; the pages fit a 390 px phone screen; the researcher's results page draws its charts.
// Screenshots go to artifacts/screenshots/survey-*.png.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { APIRequestContext, Page } from 'playwright-core';
import { statement, surveyDefinition } from '../helpers/surveys.ts';
import {
  browserSkipReason,
  browserSuite,
  csrfToken,
  DESKTOP,
  grantRole,
  PHONE,
  screenshot,
} from './harness.ts';

const skip = browserSkipReason();
const suite = browserSuite(skip);

const newMember = (label: string) => suite.newMember(label, DESKTOP);
const grant = (role: 'researcher' | 'admin', memberId: number) =>
  grantRole(suite.server, role, memberId);

/** A state-changing API call with the session's CSRF token, as the web app sends it. */
async function post(request: APIRequestContext, url: string, data?: unknown) {
  const response = await request.post(url, {
    data,
    headers: { 'x-csrf-token': await csrfToken(request) },
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
    // The movie question's stars are a slider (half stars): End is 5, Enter saves.
    const stars = form.getByRole('slider', { name: `Your rating of ${movies.items[0].title}` });
    await stars.press('End');
    await stars.press('Enter');
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
    await page.setViewportSize(PHONE);
    assert.deepEqual(await overflowing(page), [], 'the survey page scrolls sideways at 390 px');
    await screenshot(page, 'survey-answered-mobile');
    await page.setViewportSize(DESKTOP);

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
    await researcher.page.setViewportSize(PHONE);
    assert.deepEqual(
      await overflowing(researcher.page),
      [],
      'the results page scrolls sideways at 390 px',
    );
    assert.deepEqual(suite.pageErrors, []);
  },
);
