/**
 * What researchers read of a survey: counts and distributions per question, the answers by
 * experiment arm with 95% intervals (experimentStats.ts), and the answers themselves joined to
 * pseudonymous member ids only. Free-text answers leave with their e-mail addresses replaced,
 * like the event log's export, and every export is written to the access-audit log.
 */
import type { SurveyData } from '../datasets/dataset.ts';
import type { Db } from '../db/connection.ts';
import { appendAuditEntry } from './accessAudit.ts';
import { nowSeconds } from './clock.ts';
import { notFound } from './errors.ts';
import { redactEmails } from './eventKinds.ts';
import { meanInterval, wilsonInterval, type Estimate } from './experimentStats.ts';
import { getSurvey, movieTitles, type Question, type Survey } from './surveyDefinitions.ts';
import type { Answers } from './surveyParticipation.ts';

export interface QuestionResult {
  id: string;
  kind: Question['kind'];
  prompt: string;
  /** Members who answered this question. */
  answered: number;
  /** Single/multiple choice: each choice's count and share of those who answered. */
  options: Array<{ label: string; count: number; share: Estimate }>;
  /** Scale: how many chose 1..5, and the mean. */
  distribution: number[];
  mean: Estimate | null;
  /** Rate these movies: each movie's mean rating. */
  movies: Array<{ movieId: number; title: string | null; mean: Estimate }>;
}

export interface SurveyResults {
  survey: Survey;
  respondents: number;
  declined: number;
  questions: QuestionResult[];
  /** With `experimentId`: per variant, its respondents and the mean of each scale question. */
  byArm: Array<{
    variant: string;
    respondents: number;
    means: Array<{ question: string; mean: Estimate }>;
  }> | null;
}

interface Response {
  memberId: number;
  answers: Answers;
}

async function responses(db: Db, surveyId: number): Promise<Response[]> {
  const rows = await db.kysely
    .selectFrom('survey_participants')
    .select(['user_id', 'answers'])
    .where('survey_id', '=', surveyId)
    .where('answers', 'is not', null)
    .orderBy('user_id')
    .execute();
  return rows.map((row) => ({
    memberId: row.user_id,
    answers: JSON.parse(row.answers!) as Answers,
  }));
}

function questionResult(
  question: Question,
  all: Response[],
  titles: Map<number, string>,
): QuestionResult {
  const given = all.map((r) => r.answers[question.id]).filter((value) => value !== undefined);
  const result: QuestionResult = {
    id: question.id,
    kind: question.kind,
    prompt: question.prompt,
    answered: given.length,
    options: [],
    distribution: [],
    mean: null,
    movies: [],
  };
  if (question.kind === 'single' || question.kind === 'multiple') {
    result.options = (question.options ?? []).map((label, index) => {
      const count = given.filter((value) =>
        Array.isArray(value) ? value.includes(index) : value === index,
      ).length;
      return { label, count, share: wilsonInterval(count, given.length) };
    });
  } else if (question.kind === 'scale') {
    const values = given as number[];
    result.distribution = [1, 2, 3, 4, 5].map((point) => values.filter((v) => v === point).length);
    result.mean = meanInterval(Float64Array.from(values));
  } else if (question.kind === 'movies') {
    result.movies = (question.movieIds ?? []).map((movieId) => {
      const ratings = (given as Array<Record<string, number>>)
        .map((value) => value[String(movieId)])
        .filter((rating) => rating !== undefined);
      return {
        movieId,
        title: titles.get(movieId) ?? null,
        mean: meanInterval(Float64Array.from(ratings)),
      };
    });
  }
  return result;
}

/** The survey's results (researchers); `experimentId` adds the scale questions by arm. */
export async function surveyResults(
  db: Db,
  surveyId: number,
  experimentId?: number,
): Promise<SurveyResults> {
  const survey = await getSurvey(db, surveyId);
  const all = await responses(db, surveyId);
  const titles = await movieTitles(db, survey);
  const declined = await db.kysely
    .selectFrom('survey_participants')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('survey_id', '=', surveyId)
    .where('status', '=', 'declined')
    .executeTakeFirstOrThrow();
  return {
    survey,
    respondents: all.length,
    declined: Number(declined.n),
    questions: survey.questions.map((question) => questionResult(question, all, titles)),
    byArm: experimentId === undefined ? null : await byArm(db, survey, all, experimentId),
  };
}

async function byArm(db: Db, survey: Survey, all: Response[], experimentId: number) {
  const variants = await db.kysely
    .selectFrom('experiment_variants')
    .select('name')
    .where('experiment_id', '=', experimentId)
    .orderBy('position')
    .execute();
  if (variants.length === 0)
    throw notFound(`experimentId: experiment ${experimentId} does not exist`);
  const assignments = await db.kysely
    .selectFrom('experiment_assignments')
    .select(['user_id', 'variant'])
    .where('experiment_id', '=', experimentId)
    .execute();
  const variantOf = new Map(assignments.map((row) => [row.user_id, row.variant]));
  const scales = survey.questions.filter((question) => question.kind === 'scale');
  return variants.map(({ name }) => {
    const arm = all.filter((response) => variantOf.get(response.memberId) === name);
    return {
      variant: name,
      respondents: arm.length,
      means: scales.map((question) => {
        const values = arm
          .map((response) => response.answers[question.id])
          .filter((value): value is number => typeof value === 'number');
        return { question: question.id, mean: meanInterval(Float64Array.from(values)) };
      }),
    };
  });
}

/** One exported answer: one row per member, question and item (a choice, a movie). */
export interface ExportedAnswer {
  memberId: number;
  question: string;
  /** The choice's label or the movie id; empty for scale and text answers. */
  item: string;
  value: string;
}

/** The answers, pseudonymous, with e-mail addresses in free text replaced. */
export function exportRows(survey: Survey, all: Response[]): ExportedAnswer[] {
  const rows: ExportedAnswer[] = [];
  for (const { memberId, answers } of all) {
    for (const question of survey.questions) {
      const value = answers[question.id];
      if (value === undefined) continue;
      const row = (item: string, text: string) =>
        rows.push({ memberId, question: question.id, item, value: text });
      if (question.kind === 'text') row('', redactEmails(String(value)));
      else if (question.kind === 'scale') row('', String(value));
      else if (question.kind === 'movies')
        for (const [movie, rating] of Object.entries(value as Record<string, number>))
          row(movie, String(rating));
      else
        for (const index of Array.isArray(value) ? value : [value as number])
          row(question.options![index], '1');
    }
  }
  return rows;
}

const csvField = (text: string) => (/[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/**
 * A researcher's export of the answers as CSV or JSON lines; the access-audit log records who
 * exported which survey and how many rows.
 */
export async function exportSurveyAnswers(
  db: Db,
  researcherId: number,
  surveyId: number,
  format: 'csv' | 'jsonl',
): Promise<string> {
  const survey = await getSurvey(db, surveyId);
  const rows = exportRows(survey, await responses(db, surveyId));
  await appendAuditEntry(db, {
    actorId: researcherId,
    action: 'survey_answers_exported',
    detail: { survey: surveyId, format, rows: rows.length },
  });
  if (format === 'jsonl') return rows.map((row) => JSON.stringify(row) + '\n').join('');
  const lines = rows.map((row) =>
    [String(row.memberId), row.question, csvField(row.item), csvField(row.value)].join(','),
  );
  return ['member_id,question,item,value', ...lines].join('\n') + '\n';
}

/**
 * What a release may take of the surveys (src/privacy/releaseSurveys.ts): the closed surveys
 * whose statement said the answers may be released, with the answers members still hold there
 * (withdrawn answers are deleted) under live member ids; the release keeps only its own members.
 */
export async function releasableSurveys(db: Db): Promise<SurveyData[]> {
  const surveys = await db.kysely
    .selectFrom('surveys')
    .select(['id', 'title', 'questions'])
    .where('releasable', '=', 1)
    .where('approved_at', 'is not', null)
    .where('closes_at', '<=', nowSeconds())
    .orderBy('id')
    .execute();
  const released: SurveyData[] = [];
  for (const survey of surveys) {
    const rows = await db.kysely
      .selectFrom('survey_participants')
      .select(['user_id', 'answers'])
      .where('survey_id', '=', survey.id)
      .where('status', '=', 'accepted')
      .where('answers', 'is not', null)
      .orderBy('user_id')
      .execute();
    if (rows.length === 0) continue;
    released.push({
      id: survey.id,
      title: survey.title,
      questions: JSON.parse(survey.questions) as Question[],
      responses: rows.map((row) => ({
        userId: row.user_id,
        answers: JSON.parse(row.answers!) as Answers,
      })),
    });
  }
  return released;
}
