/**
 * Research surveys ("extras", MovieLens: "a specific privacy statement will be made clearly
 * available for each activity … and participation in such activities will be made optional"):
 * a researcher's definition (title, its own privacy statement, questions, audience, open and
 * close dates), checked here; an admin approves it before it opens. Members take part in
 * surveyParticipation.ts; researchers read results in surveyResults.ts.
 */
import type { Db } from '../db/connection.ts';
import type { Selectable } from 'kysely';
import type { SurveysTable } from '../db/schema.ts';
import { appendAuditEntry } from './accessAudit.ts';
import { isoTime, nowSeconds } from './clock.ts';
import { conflict, invalid, notFound, type FieldError } from './errors.ts';
import { requireRole } from './roles.ts';

export const QUESTION_KINDS = ['single', 'multiple', 'scale', 'text', 'movies'] as const;
export type QuestionKind = (typeof QUESTION_KINDS)[number];
export const STATEMENT_PARTS = ['collected', 'purpose', 'access', 'retention'] as const;
export const TEXT_ANSWER_MAX_LENGTH = 2000;
const MAX_QUESTIONS = 50;
const MAX_OPTIONS = 20;
const MAX_MOVIES = 20;

/** What the survey collects, why, who sees it, how long it is kept. */
export type SurveyStatement = Record<(typeof STATEMENT_PARTS)[number], string>;

export interface Question {
  /** `q1`, `q2`, … in the order of the definition. */
  id: string;
  kind: QuestionKind;
  prompt: string;
  /** The choices of a single or multiple choice question. */
  options?: string[];
  /** The movies of a 'rate these movies' question. */
  movieIds?: number[];
}

export type SurveyAudience =
  | { kind: 'all' }
  | { kind: 'experiment'; experimentId: number; variant?: string }
  | { kind: 'rated'; movieId: number };

export interface SurveyDefinition {
  title: string;
  statement: SurveyStatement;
  questions: Array<Omit<Question, 'id'>>;
  audience: SurveyAudience;
  opensAt: string;
  closesAt: string;
  /** The statement says the answers may go into a published dataset release. */
  releasable?: boolean;
}

export type SurveyState = 'awaiting-approval' | 'scheduled' | 'open' | 'closed';

export interface Survey {
  id: number;
  title: string;
  statement: SurveyStatement;
  questions: Question[];
  audience: SurveyAudience;
  releasable: boolean;
  opensAt: string;
  closesAt: string;
  state: SurveyState;
  createdBy: number | null;
  createdAt: string;
  approvedBy: number | null;
  approvedAt: string | null;
}

type Row = Selectable<SurveysTable>;

export function surveyState(
  row: Pick<Row, 'approved_at' | 'opens_at' | 'closes_at'>,
  now = nowSeconds(),
): SurveyState {
  if (now >= Number(row.closes_at)) return 'closed';
  if (row.approved_at === null) return 'awaiting-approval';
  return now < Number(row.opens_at) ? 'scheduled' : 'open';
}

export function presentSurvey(row: Row): Survey {
  return {
    id: row.id,
    title: row.title,
    statement: JSON.parse(row.statement) as SurveyStatement,
    questions: JSON.parse(row.questions) as Question[],
    audience: JSON.parse(row.audience) as SurveyAudience,
    releasable: row.releasable === 1,
    opensAt: isoTime(Number(row.opens_at)),
    closesAt: isoTime(Number(row.closes_at)),
    state: surveyState(row),
    createdBy: row.created_by,
    createdAt: isoTime(Number(row.created_at)),
    approvedBy: row.approved_by,
    approvedAt: row.approved_at === null ? null : isoTime(Number(row.approved_at)),
  };
}

function seconds(field: string, value: string, errors: FieldError[]): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) errors.push({ path: field, message: `"${value}" is not a date and time` });
  return Math.floor(ms / 1000);
}

/** The definition's mistakes, each with its field (all at once, so a form can show them). */
async function checkDefinition(db: Db, definition: SurveyDefinition): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  const title = definition.title.trim();
  if (title.length < 3 || title.length > 200)
    errors.push({ path: 'title', message: 'must be 3 to 200 characters' });
  for (const part of STATEMENT_PARTS) {
    const text = (definition.statement[part] ?? '').trim();
    if (text.length < 10 || text.length > 2000)
      errors.push({ path: `statement.${part}`, message: 'must be 10 to 2000 characters' });
  }
  const { questions } = definition;
  if (questions.length === 0 || questions.length > MAX_QUESTIONS)
    errors.push({ path: 'questions', message: `must hold 1 to ${MAX_QUESTIONS} questions` });
  const movieIds = new Set<number>();
  questions.forEach((question, index) => {
    const path = `questions.${index}`;
    if (question.prompt.trim().length === 0 || question.prompt.length > 500)
      errors.push({ path: `${path}.prompt`, message: 'must be 1 to 500 characters' });
    const choice = question.kind === 'single' || question.kind === 'multiple';
    const options = question.options ?? [];
    if (choice && (options.length < 2 || options.length > MAX_OPTIONS))
      errors.push({ path: `${path}.options`, message: `must hold 2 to ${MAX_OPTIONS} choices` });
    if (!choice && options.length > 0)
      errors.push({
        path: `${path}.options`,
        message: `a ${question.kind} question has no choices`,
      });
    if (options.some((option) => option.trim().length === 0 || option.length > 200))
      errors.push({ path: `${path}.options`, message: 'each choice must be 1 to 200 characters' });
    const movies = question.movieIds ?? [];
    if (question.kind === 'movies' && (movies.length === 0 || movies.length > MAX_MOVIES))
      errors.push({ path: `${path}.movieIds`, message: `must hold 1 to ${MAX_MOVIES} movies` });
    if (question.kind !== 'movies' && movies.length > 0)
      errors.push({
        path: `${path}.movieIds`,
        message: `a ${question.kind} question has no movies`,
      });
    for (const id of movies) movieIds.add(id);
  });
  if (movieIds.size > 0) {
    const known = await db.kysely
      .selectFrom('movies')
      .select('id')
      .where('id', 'in', [...movieIds])
      .execute();
    const found = new Set(known.map((row) => row.id));
    const missing = [...movieIds].filter((id) => !found.has(id));
    if (missing.length > 0)
      errors.push({ path: 'questions', message: `no such movies: ${missing.join(', ')}` });
  }
  errors.push(...(await checkAudience(db, definition.audience)));
  const opens = seconds('opensAt', definition.opensAt, errors);
  const closes = seconds('closesAt', definition.closesAt, errors);
  if (opens >= closes) errors.push({ path: 'closesAt', message: 'must be after opensAt' });
  else if (closes <= nowSeconds())
    errors.push({ path: 'closesAt', message: 'must be in the future' });
  return errors;
}

async function checkAudience(db: Db, audience: SurveyAudience): Promise<FieldError[]> {
  if (audience.kind === 'experiment') {
    const variants = await db.kysely
      .selectFrom('experiment_variants')
      .select('name')
      .where('experiment_id', '=', audience.experimentId)
      .execute();
    if (variants.length === 0)
      return [{ path: 'audience.experimentId', message: 'no such experiment' }];
    if (audience.variant !== undefined && !variants.some((v) => v.name === audience.variant))
      return [{ path: 'audience.variant', message: 'the experiment has no such variant' }];
  }
  if (audience.kind === 'rated') {
    const movie = await db.kysely
      .selectFrom('movies')
      .select('id')
      .where('id', '=', audience.movieId)
      .executeTakeFirst();
    if (!movie) return [{ path: 'audience.movieId', message: 'no such movie' }];
  }
  return [];
}

/** A researcher's new survey, awaiting an admin's approval. */
export async function createSurvey(
  db: Db,
  researcherId: number,
  definition: SurveyDefinition,
): Promise<Survey> {
  await requireRole(db, researcherId, 'researcher');
  const errors = await checkDefinition(db, definition);
  if (errors.length > 0)
    throw invalid(errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
  const questions: Question[] = definition.questions.map((question, index) => ({
    id: `q${index + 1}`,
    kind: question.kind,
    prompt: question.prompt.trim(),
    ...(question.options?.length ? { options: question.options.map((o) => o.trim()) } : {}),
    ...(question.movieIds?.length ? { movieIds: question.movieIds } : {}),
  }));
  const statement = Object.fromEntries(
    STATEMENT_PARTS.map((part) => [part, definition.statement[part].trim()]),
  );
  const row = await db.kysely
    .insertInto('surveys')
    .values({
      title: definition.title.trim(),
      statement: JSON.stringify(statement),
      questions: JSON.stringify(questions),
      audience: JSON.stringify(definition.audience),
      releasable: definition.releasable ? 1 : 0,
      opens_at: Math.floor(Date.parse(definition.opensAt) / 1000),
      closes_at: Math.floor(Date.parse(definition.closesAt) / 1000),
      created_by: researcherId,
      created_at: nowSeconds(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return presentSurvey(row);
}

/** The titles of the movies a survey's questions ask about. */
export async function movieTitles(db: Db, survey: Survey): Promise<Map<number, string>> {
  const movieIds = survey.questions.flatMap((question) => question.movieIds ?? []);
  if (movieIds.length === 0) return new Map();
  const rows = await db.kysely
    .selectFrom('movies')
    .select(['id', 'title'])
    .where('id', 'in', movieIds)
    .execute();
  return new Map(rows.map((row) => [row.id, row.title]));
}

export async function surveyRow(db: Db, id: number): Promise<Row> {
  const row = await db.kysely
    .selectFrom('surveys')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound(`survey ${id} does not exist`);
  return row;
}

export async function getSurvey(db: Db, id: number): Promise<Survey> {
  return presentSurvey(await surveyRow(db, id));
}

/** Every survey, newest first (the console). */
export async function listSurveys(db: Db): Promise<Survey[]> {
  const rows = await db.kysely.selectFrom('surveys').selectAll().orderBy('id', 'desc').execute();
  return rows.map((row) => presentSurvey(row));
}

/** An admin approves a survey before it opens (written to the access-audit log). */
export async function approveSurvey(db: Db, adminId: number, id: number): Promise<Survey> {
  await requireRole(db, adminId, 'admin');
  const survey = await getSurvey(db, id);
  if (survey.state !== 'awaiting-approval')
    throw conflict(`survey ${id} is ${survey.state}; only one awaiting approval can be approved`);
  await db.kysely
    .updateTable('surveys')
    .set({ approved_by: adminId, approved_at: nowSeconds() })
    .where('id', '=', id)
    .where('approved_at', 'is', null)
    .execute();
  await appendAuditEntry(db, {
    actorId: adminId,
    action: 'survey_approved',
    detail: { survey: id, title: survey.title },
  });
  return getSurvey(db, id);
}
