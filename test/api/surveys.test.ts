import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { grantRole } from '../../src/services/roles.ts';
import { statement, surveyDefinition } from '../helpers/surveys.ts';
import { experimentDefinition } from '../research/helpers.ts';
import {
  Client,
  PASSWORD,
  decodeMail,
  describeApi,
  member,
  outboxMessages,
  popularMovieIds,
} from './harness.ts';

type Member = Awaited<ReturnType<typeof member>>;
interface MemberSurvey {
  id: number;
  state: string;
  participation: string | null;
  answers: Record<string, unknown> | null;
  movieTitles: Record<string, string>;
}

describeApi('surveys', (api) => {
  let researcher: Member;
  let admin: Member;
  let answering: Member;
  let declining: Member;
  let leaving: Member;
  let movieIds: number[];
  let surveyId: number;
  let experimentId: number;

  before(async () => {
    researcher = await member(api);
    admin = await member(api);
    await grantRole(api.db, researcher.id, 'researcher');
    await grantRole(api.db, admin.id, 'admin');
    answering = await member(api);
    declining = await member(api);
    leaving = await member(api);
    movieIds = await popularMovieIds(answering.client, 2);
    // An experiment whose arms the results are split by.
    const experiment = await researcher.client.request(
      'POST',
      '/api/console/experiments',
      experimentDefinition('survey-arms', ['left', 'right']),
    );
    experimentId = (experiment.json as { id: number }).id;
    await researcher.client.request('POST', `/api/console/experiments/${experimentId}/start`);
    for (const { client } of [answering, declining, leaving])
      await client.get('/api/me/experiments');
  });

  const url = (path = '') => `/api/surveys/${surveyId}${path}`;
  const answers = () => ({
    q1: 0,
    q2: [0, 2],
    q3: 4,
    q4: 'Write me at bob.smith@example.org or bob ＠ example.org',
    q5: { [String(movieIds[0])]: 5, [String(movieIds[1])]: 3 },
  });

  test('a researcher defines a survey; a bad definition is refused naming its fields', async () => {
    const bad = await researcher.client.request(
      'POST',
      '/api/console/surveys',
      surveyDefinition(movieIds, {
        statement: { ...statement, retention: 'soon' },
        questions: [{ kind: 'single', prompt: 'Pick', options: ['only one'] }],
        audience: { kind: 'rated', movieId: 999_999 },
      }),
    );
    assert.equal(bad.status, 400);
    assert.deepEqual(
      (bad.json as { errors: Array<{ path: string }> }).errors.map((e) => e.path).sort(),
      ['audience.movieId', 'questions.0.options', 'statement.retention'],
    );
    const member403 = await answering.client.request(
      'POST',
      '/api/console/surveys',
      surveyDefinition(movieIds),
    );
    assert.equal(member403.status, 403);
    assert.equal(
      ((await researcher.client.get('/api/console/surveys')).json as { items: unknown[] }).items
        .length,
      0,
    );

    const created = await researcher.client.request(
      'POST',
      '/api/console/surveys',
      surveyDefinition(movieIds),
    );
    assert.equal(created.status, 201, created.body);
    const survey = created.json as { id: number; state: string; questions: Array<{ id: string }> };
    assert.equal(survey.state, 'awaiting-approval');
    assert.deepEqual(
      survey.questions.map((q) => q.id),
      ['q1', 'q2', 'q3', 'q4', 'q5'],
    );
    surveyId = survey.id;
  });

  test('an unapproved survey is not there for members; only an admin approves it', async () => {
    assert.deepEqual((await answering.client.get('/api/surveys')).json, { items: [] });
    assert.equal((await answering.client.get(url())).status, 404);
    assert.equal((await answering.client.request('POST', url('/accept'))).status, 404);
    assert.equal(
      (await answering.client.request('PUT', url('/answers'), { answers: answers() })).status,
      404,
    );
    const approveUrl = `/api/console/admin/surveys/${surveyId}/approve`;
    assert.equal((await researcher.client.request('POST', approveUrl)).status, 403);
    assert.equal((await answering.client.request('POST', approveUrl)).status, 403);
    const approved = await admin.client.request('POST', approveUrl);
    assert.equal(approved.status, 200, approved.body);
    assert.equal((approved.json as { state: string }).state, 'open');
    assert.equal((await admin.client.request('POST', approveUrl)).status, 409);
    const audit = (await admin.client.get('/api/console/admin/audit')).json as {
      items: Array<{ action: string; actorId: number }>;
    };
    assert.ok(audit.items.some((e) => e.action === 'survey_approved' && e.actorId === admin.id));
  });

  test('answering needs the accepted statement; answers are checked per question', async () => {
    const invited = (await answering.client.get('/api/surveys')).json as { items: MemberSurvey[] };
    assert.deepEqual(
      invited.items.map((s) => [s.id, s.participation]),
      [[surveyId, null]],
    );
    assert.deepEqual(
      Object.keys(invited.items[0].movieTitles).map(Number).sort(),
      [...movieIds].sort(),
    );
    const early = await answering.client.request('PUT', url('/answers'), { answers: answers() });
    assert.equal(early.status, 409);
    assert.match(
      (early.json as { detail: string }).detail,
      /accept the survey's privacy statement/,
    );
    const accepted = await answering.client.request('POST', url('/accept'));
    assert.equal((accepted.json as MemberSurvey).participation, 'accepted');
    const wrong = await answering.client.request('PUT', url('/answers'), {
      answers: { ...answers(), q3: 6, q9: 1 },
    });
    assert.equal(wrong.status, 400);
    assert.deepEqual(
      (wrong.json as { errors: Array<{ path: string }> }).errors.map((e) => e.path).sort(),
      ['answers.q3', 'answers.q9'],
    );
    assert.equal(((await answering.client.get(url())).json as MemberSurvey).answers, null);
    for (const client of [answering.client, leaving.client]) {
      if (client !== answering.client) await client.request('POST', url('/accept'));
      const stored = await client.request('PUT', url('/answers'), { answers: answers() });
      assert.equal(stored.status, 200, stored.body);
      assert.equal((stored.json as MemberSurvey).participation, 'answered');
    }
  });

  test('declining changes nothing else, and a decliner cannot answer', async () => {
    const before = (await declining.client.get('/api/me/privacy')).json;
    const declined = await declining.client.request('POST', url('/decline'));
    assert.equal((declined.json as MemberSurvey).participation, 'declined');
    assert.deepEqual((await declining.client.get('/api/me/privacy')).json, before);
    assert.equal(
      (await declining.client.request('PUT', url('/answers'), { answers: answers() })).status,
      409,
    );
    // A member sees their own answers only.
    assert.equal(((await declining.client.get(url())).json as MemberSurvey).answers, null);
  });

  test('members cannot see results or exports; researchers get results by arm and a pseudonymous export', async () => {
    for (const path of ['/results', '/export', '']) {
      assert.equal(
        (await answering.client.get(`/api/console/surveys/${surveyId}${path}`)).status,
        403,
      );
      assert.equal(
        (await new Client(api.app).get(`/api/console/surveys/${surveyId}${path}`)).status,
        401,
      );
    }
    const response = await researcher.client.get(
      `/api/console/surveys/${surveyId}/results?experimentId=${experimentId}`,
    );
    assert.equal(response.status, 200, response.body);
    const results = response.json as {
      respondents: number;
      declined: number;
      questions: Array<{
        options: Array<{ count: number }>;
        distribution: number[];
        movies: Array<{ mean: { value: number; n: number } }>;
        answered: number;
      }>;
      byArm: Array<{
        variant: string;
        respondents: number;
        means: Array<{ mean: { value: number } }>;
      }>;
    };
    assert.equal(results.respondents, 2);
    assert.equal(results.declined, 1);
    assert.deepEqual(
      results.questions[0].options.map((o) => o.count),
      [2, 0],
    );
    assert.deepEqual(
      results.questions[1].options.map((o) => o.count),
      [2, 0, 2],
    );
    assert.deepEqual(results.questions[2].distribution, [0, 0, 0, 2, 0]);
    assert.deepEqual(
      results.questions[4].movies.map((m) => [m.mean.value, m.mean.n]),
      [
        [5, 2],
        [3, 2],
      ],
    );
    assert.deepEqual(
      results.byArm.map((arm) => arm.variant),
      ['left', 'right'],
    );
    assert.equal(
      results.byArm.reduce((sum, arm) => sum + arm.respondents, 0),
      2,
    );

    const csv = await researcher.client.get(`/api/console/surveys/${surveyId}/export?format=csv`);
    assert.equal(csv.status, 200);
    assert.match(csv.body, /^member_id,question,item,value\n/);
    assert.doesNotMatch(csv.body, /@|＠|bob\.smith/);
    assert.match(csv.body, /\[e-mail removed\]/);
    const ids = new Set(
      csv.body
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => Number(line.split(',')[0])),
    );
    assert.deepEqual([...ids].sort(), [answering.id, leaving.id].sort());
    const audit = (await admin.client.get('/api/console/admin/audit')).json as {
      items: Array<{ action: string; actorId: number; detail: Record<string, unknown> }>;
    };
    const exported = audit.items.find((e) => e.action === 'survey_answers_exported');
    assert.equal(exported?.actorId, researcher.id);
    assert.equal(exported?.detail.survey, surveyId);
  });

  test("the member's data export holds their answers; withdrawing deletes them", async () => {
    const data = (await answering.client.get('/api/me/export')).json as {
      surveys: Array<{ surveyId: number; answers: Record<string, unknown> }>;
    };
    assert.deepEqual(
      data.surveys.map((s) => [s.surveyId, s.answers.q3]),
      [[surveyId, 4]],
    );
    const withdrawn = await answering.client.request('DELETE', url('/answers'));
    assert.equal(withdrawn.status, 204);
    assert.equal(((await answering.client.get(url())).json as MemberSurvey).participation, null);
    assert.equal((await answering.client.request('DELETE', url('/answers'))).status, 404);
    const results = (await researcher.client.get(`/api/console/surveys/${surveyId}/results`))
      .json as {
      respondents: number;
    };
    assert.equal(results.respondents, 1);
  });

  test('deleting the account removes its answers', async () => {
    assert.equal(
      (await leaving.client.request('DELETE', '/api/me', { password: PASSWORD })).status,
      204,
    );
    const results = (await researcher.client.get(`/api/console/surveys/${surveyId}/results`))
      .json as {
      respondents: number;
    };
    assert.equal(results.respondents, 0);
    const csv = await researcher.client.get(`/api/console/surveys/${surveyId}/export?format=jsonl`);
    assert.equal(csv.body, '');
  });

  test('a closed survey takes no answers and no withdrawal', async () => {
    const again = await answering.client.request('POST', url('/accept'));
    assert.equal(again.status, 200);
    assert.equal(
      (await answering.client.request('PUT', url('/answers'), { answers: { q3: 2 } })).status,
      200,
    );
    await api.db.kysely
      .updateTable('surveys')
      .set({ closes_at: Math.floor(Date.now() / 1000) - 1 })
      .where('id', '=', surveyId)
      .execute();
    const late = await answering.client.request('PUT', url('/answers'), { answers: { q3: 3 } });
    assert.equal(late.status, 409);
    assert.equal((await answering.client.request('DELETE', url('/answers'))).status, 409);
    assert.equal((await declining.client.request('POST', url('/accept'))).status, 409);
    assert.deepEqual((await answering.client.get('/api/surveys')).json, { items: [] });
    assert.deepEqual(((await answering.client.get(url())).json as MemberSurvey).answers, { q3: 2 });
  });

  test('an audience of members who rated a movie leaves the others out', async () => {
    const [movie] = movieIds;
    await declining.client.request('PUT', `/api/ratings/${movie}`, { rating: 4 });
    const created = await researcher.client.request(
      'POST',
      '/api/console/surveys',
      surveyDefinition(movieIds, {
        title: 'About one movie',
        audience: { kind: 'rated', movieId: movie },
      }),
    );
    const { id } = created.json as { id: number };
    await admin.client.request('POST', `/api/console/admin/surveys/${id}/approve`);
    const seen = (await declining.client.get('/api/surveys')).json as { items: MemberSurvey[] };
    assert.deepEqual(
      seen.items.map((s) => s.id),
      [id],
    );
    // `answering` rated nothing.
    assert.equal((await answering.client.get(`/api/surveys/${id}`)).status, 404);
    assert.equal((await answering.client.request('POST', `/api/surveys/${id}/accept`)).status, 404);

    // An invitation by e-mail reaches the audience's opted-in members only, and is audited.
    const quiet = await member(api);
    await quiet.client.request('PUT', `/api/ratings/${movie}`, { rating: 2 });
    for (const { client } of [declining, answering])
      await client.request('PATCH', '/api/me/privacy', { emailUpdates: true });
    const inviteUrl = `/api/console/admin/surveys/${id}/invite`;
    assert.equal((await researcher.client.request('POST', inviteUrl)).status, 403);
    const invited = await admin.client.request('POST', inviteUrl);
    assert.equal(invited.status, 202, invited.body);
    assert.equal((invited.json as { recipients: number }).recipients, 1);
    await api.app.services.announcements.idle();
    const mails = outboxMessages(api)
      .map(decodeMail)
      .filter((mail) => /^Subject: Invitation: About one movie$/m.test(mail));
    assert.deepEqual(
      mails.map((mail) => /^To: (.+)$/m.exec(mail)![1]),
      [declining.email.toLowerCase()],
    );
    assert.match(mails[0], new RegExp(`/surveys/${id}`));
    assert.match(mails[0], /^List-Unsubscribe: </m);
    const published = (await new Client(api.app).get('/api/announcements')).json as {
      items: unknown[];
    };
    assert.deepEqual(published.items, []);
  });
});
