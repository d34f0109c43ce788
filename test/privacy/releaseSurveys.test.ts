import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Dataset, SurveyData } from '../../src/datasets/dataset.ts';
import { PRESET_NAMES, presetPolicy, validatePolicy } from '../../src/privacy/policy.ts';
import { releaseWithAudit } from '../../src/privacy/report.ts';
import { importDataset } from '../../src/services/datasets.ts';
import { loadReleaseSource, runRelease, writeRelease } from '../../src/services/releases.ts';
import { grantRole } from '../../src/services/roles.ts';
import { approveSurvey, createSurvey } from '../../src/services/surveyDefinitions.ts';
import {
  acceptSurvey,
  answerSurvey,
  withdrawFromSurvey,
} from '../../src/services/surveyParticipation.ts';
import { testDatabases, withFreshDatabase } from '../helpers/databases.ts';
import { statement } from '../helpers/surveys.ts';
import { LENIENT_GATE, lenientPolicy, quickReleaseOptions, smallDataset } from './helpers.ts';

const root = mkdtempSync(join(tmpdir(), 'lenslab-surveys-'));
after(() => rmSync(root, { recursive: true, force: true }));

const base = smallDataset({ users: 200, movies: 300, perUser: [20, 60], seed: 5 });
const questions: SurveyData['questions'] = [
  { id: 'q1', kind: 'single', prompt: 'Where do you watch?', options: ['home', 'cinema, mostly'] },
  { id: 'q2', kind: 'multiple', prompt: 'With whom?', options: ['alone', 'friends', 'family'] },
  { id: 'q3', kind: 'scale', prompt: 'How much do you trust our recommendations?' },
  { id: 'q4', kind: 'text', prompt: 'Anything else?' },
  // 300 is rated by few (low ids are popular): the default policy leaves it out.
  { id: 'q5', kind: 'movies', prompt: 'Rate these movies', movieIds: [1, 2, 300] },
];
/** Every member answers survey 4; every 7th writes an e-mail address, twice. */
function withSurvey(dataset: Dataset): Dataset {
  const responses = Array.from(dataset.ratings.userIds.ids, (userId, u) => ({
    userId,
    answers: {
      q1: u % 2,
      q2: [0, 2],
      q3: 1 + (u % 5),
      q4: u % 7 === 3 ? `mail fan${u}@example.org or fan${u} ＠ example.net` : `answer ${userId}`,
      q5: { '1': 5, '2': 3, '300': 1 },
    },
  }));
  return { ...dataset, surveys: [{ id: 4, title: 'Movie night', questions, responses }] };
}
const source = withSurvey(base);
const consents = (id: number) => id % 5 !== 0;
// Rare movies suppressed (the swap of the default keeps every movie): answers about a movie the
// release leaves out are dropped.
const policy = (surveys: boolean) =>
  lenientPolicy({
    surveys: { release: surveys },
    ratings: { riskTargeting: { enabled: false }, minMovieRaters: 13, swap: { enabled: false } },
  });
const options = quickReleaseOptions(consents);

const surveyFiles = (dir: string) => readdirSync(dir).filter((name) => name.startsWith('survey-'));

test('survey answers are released only when the policy says so (off in every preset)', () => {
  for (const name of PRESET_NAMES) assert.equal(presetPolicy(name).surveys.release, false);
  assert.equal(validatePolicy({}).surveys.release, false);
  const result = releaseWithAudit(source, policy(false), options);
  assert.equal(result.published.surveys, undefined);
  assert.deepEqual(result.release.summary.surveys, []);
  const out = join(root, 'off');
  const written = writeRelease(result, { out, overwrite: false });
  assert.deepEqual(surveyFiles(out), []);
  assert.ok(!written.written.some((name) => name.startsWith('survey-')));
  assert.match(readFileSync(join(out, 'README'), 'utf8'), /No survey answers are released/);
});

test('released answers: consenting released members under pseudonyms, e-mails redacted, kept movies', () => {
  const result = releaseWithAudit(source, policy(true), options);
  const { published, release } = result;
  const liveOf = new Map(
    Array.from(release.mapping.releaseIds, (id, k) => [id, release.mapping.userIds[k]]),
  );
  const kept = published.ratings.itemIds;
  assert.ok(kept.has(1) && kept.has(2) && !kept.has(300), 'movie 300 is left out');
  const [survey] = published.surveys ?? [];
  assert.equal(published.surveys?.length, 1);
  assert.equal(survey.id, 4);
  assert.deepEqual(survey.questions[4].movieIds, [1, 2]);
  // Every released member answered: all of them, and only them, under their pseudonyms.
  assert.deepEqual(
    survey.responses.map((r) => r.userId),
    Array.from(release.mapping.releaseIds),
  );
  assert.ok(release.summary.declinedConsent > 0, 'the test has members who declined');
  let emails = 0;
  for (const { userId, answers } of survey.responses) {
    const live = liveOf.get(userId)!;
    assert.ok(consents(live), 'only consenting members');
    const original = source.surveys![0].responses.find((r) => r.userId === live)!;
    assert.deepEqual(answers.q5, { '1': 5, '2': 3 });
    assert.equal(answers.q3, original.answers.q3);
    const text = original.answers.q4 as string;
    if (text.startsWith('mail')) {
      emails += 2;
      assert.equal(answers.q4, 'mail [e-mail removed] or [e-mail removed]');
    } else assert.equal(answers.q4, text);
  }
  assert.ok(emails > 0, 'the test redacts addresses');
  const rows = survey.responses.length * 7; // q1, two choices of q2, q3, q4, two movies of q5
  assert.deepEqual(release.summary.surveys, [
    {
      surveyId: 4,
      title: 'Movie night',
      respondents: survey.responses.length,
      answers: rows,
      redactedEmails: emails,
      droppedMovieRatings: survey.responses.length,
    },
  ]);

  const out = join(root, 'on');
  assert.ok(writeRelease(result, { out, overwrite: false }).written.includes('survey-4.csv'));
  assert.deepEqual(surveyFiles(out), ['survey-4.csv']);
  const csv = readFileSync(join(out, 'survey-4.csv'), 'utf8');
  const lines = csv.trimEnd().split('\n');
  assert.equal(lines[0], 'userId,questionId,item,answer');
  assert.equal(lines.length, rows + 1);
  assert.ok(!csv.includes('@') && !csv.includes('＠'));
  const first = survey.responses[0].userId;
  assert.ok(lines.includes(`${first},q2,alone,1`));
  assert.ok(lines.includes(`${first},q5,2,3`));
  assert.ok(csv.includes(',q1,"cinema, mostly",1\n'));
  const released = new Set(release.mapping.releaseIds);
  for (const line of lines.slice(1)) assert.ok(released.has(Number(line.split(',')[0])));

  const readme = readFileSync(join(out, 'README'), 'utf8');
  assert.ok(
    readme.includes(
      `"survey-4.csv": survey 4, "Movie night": ${rows} answers by ${survey.responses.length} members.`,
    ),
  );
  assert.match(readme, /q4 \(free text\): Anything else\?/);
  assert.match(readme, /MovieIDs in this release: 1, 2\n/);
  assert.match(readme, new RegExp(`replaced by "\\[e-mail removed\\]" \\(${emails}\\)`));
  assert.match(readme, /no usernames, no dates/);
  const report = JSON.parse(readFileSync(join(out, 'privacy-report.json'), 'utf8'));
  assert.equal(report.policy.surveys.release, true);
  assert.equal(report.summary.surveys[0].answers, rows);
  const html = readFileSync(join(out, 'privacy-report.html'), 'utf8');
  assert.ok(html.includes(`survey 4: ${rows} answers by ${survey.responses.length} members`));

  // --overwrite removes the survey files of the release it replaces.
  writeRelease(releaseWithAudit(source, policy(false), options), { out, overwrite: true });
  assert.deepEqual(surveyFiles(out), []);
});

test('a bad surveys option is refused with the key named', () => {
  assert.throws(() => validatePolicy({ surveys: { release: 'yes' } }), /surveys\.release/);
  assert.throws(
    () => validatePolicy({ surveys: { release: true, usernames: true } }),
    /surveys\.usernames: unknown key/,
  );
  assert.throws(() => validatePolicy({ surveys: true }), /surveys/);
});

for (const database of testDatabases) {
  describe(
    `survey answers in a database release (${database.name})`,
    { skip: database.skip },
    () => {
      test('loadReleaseSource brings the closed releasable surveys; the release keeps its members', async () => {
        await withFreshDatabase(database, async (db) => {
          const dataset = smallDataset({ users: 40, movies: 60, perUser: [20, 30], seed: 9 });
          await importDataset(db, dataset, 'empty');
          const ids = Array.from(dataset.ratings.userIds.ids);
          const [researcher, admin] = ids;
          await grantRole(db, researcher, 'researcher');
          await grantRole(db, admin, 'admin');
          const define = async (title: string, releasable: boolean) => {
            const survey = await createSurvey(db, researcher, {
              title,
              statement,
              questions: [
                { kind: 'text', prompt: 'Anything else?' },
                { kind: 'movies', prompt: 'Rate these movies', movieIds: [1, 2] },
              ],
              audience: { kind: 'all' },
              opensAt: new Date(Date.now() - 60_000).toISOString(),
              closesAt: new Date(Date.now() + 86_400_000).toISOString(),
              releasable,
            });
            await approveSurvey(db, admin, survey.id);
            return survey.id;
          };
          const releasable = await define('Releasable', true);
          const privateOne = await define('Private', false);
          const answering = ids.slice(2, 10);
          for (const id of answering) {
            for (const survey of [releasable, privateOne]) {
              await acceptSurvey(db, id, survey);
              await answerSurvey(db, id, survey, {
                q1: `hi from ${id}, me@example.org`,
                q2: { '1': 4 },
              });
            }
          }
          const [withdrawing, declining] = answering;
          await withdrawFromSurvey(db, withdrawing, releasable);
          await acceptSurvey(db, ids[10], releasable); // accepted, never answered
          await db.kysely
            .updateTable('users')
            .set({ research_consent: 0 })
            .where('id', '=', declining)
            .execute();
          const policy = validatePolicy({
            extends: 'naive',
            gate: LENIENT_GATE,
            surveys: { release: true },
          });

          // Still open: members may withdraw until it closes, so nothing goes out yet.
          assert.equal((await loadReleaseSource(db)).dataset.surveys, undefined);
          await db.kysely.updateTable('surveys').set({ closes_at: 1 }).execute();

          const source = await loadReleaseSource(db);
          assert.deepEqual(
            source.dataset.surveys?.map((s) => [s.id, s.responses.length]),
            [[releasable, answering.length - 1]],
          );
          const result = runRelease(source, policy, { seed: 2, format: 'ml-1m', utility: false });
          assert.ok(result.report.gate.passed);
          const out = join(root, `db-${database.name}`);
          const written = writeRelease(result, { out, overwrite: false });
          assert.ok(written.written.includes(`survey-${releasable}.csv`));
          assert.deepEqual(surveyFiles(out), [`survey-${releasable}.csv`]);
          const releaseOf = new Map(
            Array.from(result.release.mapping.userIds, (live, k) => [
              live,
              result.release.mapping.releaseIds[k],
            ]),
          );
          const expected = answering
            .filter((id) => id !== withdrawing && id !== declining)
            .map((id) => releaseOf.get(id)!)
            .sort((a, b) => a - b);
          const lines = readFileSync(join(out, `survey-${releasable}.csv`), 'utf8')
            .trimEnd()
            .split('\n');
          assert.deepEqual(
            lines.slice(1).filter((line) => line.includes(',q2,')),
            expected.map((id) => `${id},q2,1,4`),
          );
          const text = lines.filter((line) => line.includes(',q1,'));
          assert.equal(text.length, expected.length);
          for (const line of text) {
            assert.match(line, /^\d+,q1,,"hi from \d+, \[e-mail removed\]"$/);
            // Never a live id in the answers: the text is the member's own, the id a pseudonym.
            assert.equal(
              releaseOf.get(Number(/hi from (\d+)/.exec(line)![1])),
              Number(line.split(',')[0]),
            );
          }
          assert.deepEqual(result.release.summary.surveys[0].redactedEmails, expected.length);
          assert.match(readFileSync(join(out, 'README'), 'utf8'), /"Releasable"/);
        });
      });
    },
  );
}
