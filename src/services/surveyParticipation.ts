/**
 * A member and a survey: the invitations (open, approved surveys whose audience holds the member),
 * accepting the survey's privacy statement or declining it (declining changes nothing else),
 * answering (only after accepting, only while it is open), and withdrawing the answers until it
 * closes. Answers are stored under the member's pseudonymous id; account deletion removes them
 * and the member's data export holds them.
 */
import type { Db } from '../db/connection.ts';
import { isoTime, nowSeconds } from './clock.ts';
import { conflict, invalid, notFound, type FieldError } from './errors.ts';
import {
  movieTitles,
  presentSurvey,
  surveyRow,
  TEXT_ANSWER_MAX_LENGTH,
  type Question,
  type Survey,
  type SurveyAudience,
} from './surveyDefinitions.ts';

/** One answer: a choice's index, the indexes chosen, 1–5, text, or movie id → 1–5. */
export type AnswerValue = number | number[] | string | Record<string, number>;
export type Answers = Record<string, AnswerValue>;

export type Participation = 'accepted' | 'declined' | 'answered' | null;

export interface MemberSurvey extends Survey {
  participation: Participation;
  answers: Answers | null;
  /** The titles of the movies of 'rate these movies' questions, by movie id. */
  movieTitles: Record<string, string>;
}

async function inAudience(db: Db, audience: SurveyAudience, memberId: number): Promise<boolean> {
  if (audience.kind === 'all') return true;
  if (audience.kind === 'experiment') {
    let query = db.kysely
      .selectFrom('experiment_assignments')
      .select('user_id')
      .where('experiment_id', '=', audience.experimentId)
      .where('user_id', '=', memberId);
    if (audience.variant !== undefined) query = query.where('variant', '=', audience.variant);
    return (await query.executeTakeFirst()) !== undefined;
  }
  const rating = await db.kysely
    .selectFrom('ratings')
    .select('user_id')
    .where('movie_id', '=', audience.movieId)
    .where('user_id', '=', memberId)
    .executeTakeFirst();
  return rating !== undefined;
}

async function participationRow(db: Db, surveyId: number, memberId: number) {
  return db.kysely
    .selectFrom('survey_participants')
    .select(['status', 'answers'])
    .where('survey_id', '=', surveyId)
    .where('user_id', '=', memberId)
    .executeTakeFirst();
}

/**
 * The survey as the member sees it: 404 unless it is approved and the member is in its audience
 * (a draft, or a survey for others, is not there for them).
 */
export async function memberSurvey(db: Db, memberId: number, id: number): Promise<MemberSurvey> {
  const survey = presentSurvey(await surveyRow(db, id));
  if (survey.approvedAt === null || !(await inAudience(db, survey.audience, memberId)))
    throw notFound(`survey ${id} does not exist`);
  const row = await participationRow(db, id, memberId);
  const answers = row?.answers ? (JSON.parse(row.answers) as Answers) : null;
  const participation: Participation = !row
    ? null
    : answers
      ? 'answered'
      : (row.status as 'accepted' | 'declined');
  const titles = Object.fromEntries(await movieTitles(db, survey));
  return { ...survey, participation, answers, movieTitles: titles };
}

/** The open surveys the member is invited to, with what they did about each. */
export async function memberInvitations(db: Db, memberId: number): Promise<MemberSurvey[]> {
  const now = nowSeconds();
  const rows = await db.kysely
    .selectFrom('surveys')
    .select('id')
    .where('approved_at', 'is not', null)
    .where('opens_at', '<=', now)
    .where('closes_at', '>', now)
    .orderBy('closes_at')
    .execute();
  const invited: MemberSurvey[] = [];
  for (const { id } of rows) {
    try {
      invited.push(await memberSurvey(db, memberId, id));
    } catch {
      // Not in this survey's audience.
    }
  }
  return invited;
}

async function openSurvey(db: Db, memberId: number, id: number): Promise<MemberSurvey> {
  const survey = await memberSurvey(db, memberId, id);
  if (survey.state !== 'open')
    throw conflict(`survey ${id} is ${survey.state}: it does not take part now`);
  return survey;
}

/** Accepting the survey's privacy statement (the start of taking part). */
export async function acceptSurvey(db: Db, memberId: number, id: number): Promise<MemberSurvey> {
  await decide(db, memberId, id, 'accepted');
  return memberSurvey(db, memberId, id);
}

/** Declining: the invitation is answered; nothing else about the member changes. */
export async function declineSurvey(db: Db, memberId: number, id: number): Promise<MemberSurvey> {
  const survey = await openSurvey(db, memberId, id);
  if (survey.participation === 'answered')
    throw conflict('you answered this survey; withdraw your answers instead');
  await decide(db, memberId, id, 'declined');
  return memberSurvey(db, memberId, id);
}

async function decide(db: Db, memberId: number, id: number, status: 'accepted' | 'declined') {
  await openSurvey(db, memberId, id);
  await db.kysely
    .insertInto('survey_participants')
    .values({ survey_id: id, user_id: memberId, status, decided_at: nowSeconds() })
    .onConflict((oc) =>
      oc.columns(['survey_id', 'user_id']).doUpdateSet({ status, decided_at: nowSeconds() }),
    )
    .execute();
}

/**
 * Stores the member's answers (replacing earlier ones): 409 without the accepted statement or
 * when the survey is not open, 400 naming the question for a wrong answer.
 */
export async function answerSurvey(
  db: Db,
  memberId: number,
  id: number,
  answers: Answers,
): Promise<MemberSurvey> {
  const survey = await openSurvey(db, memberId, id);
  if (survey.participation !== 'accepted' && survey.participation !== 'answered')
    throw conflict("accept the survey's privacy statement before answering", [
      { path: 'statement', message: 'not accepted' },
    ]);
  const errors = checkAnswers(survey.questions, answers);
  if (errors.length > 0)
    throw invalid(errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
  await db.kysely
    .updateTable('survey_participants')
    .set({ answers: JSON.stringify(answers), answered_at: nowSeconds() })
    .where('survey_id', '=', id)
    .where('user_id', '=', memberId)
    .where('status', '=', 'accepted')
    .execute();
  return memberSurvey(db, memberId, id);
}

/** Withdraws from the survey until it closes: the answers and the acceptance are deleted. */
export async function withdrawFromSurvey(db: Db, memberId: number, id: number): Promise<void> {
  const survey = await openSurvey(db, memberId, id);
  if (survey.participation === null || survey.participation === 'declined')
    throw notFound(`you have not taken part in survey ${id}`);
  await db.kysely
    .deleteFrom('survey_participants')
    .where('survey_id', '=', id)
    .where('user_id', '=', memberId)
    .execute();
}

function checkAnswers(questions: readonly Question[], answers: Answers): FieldError[] {
  const byId = new Map(questions.map((question) => [question.id, question]));
  const errors: FieldError[] = [];
  const entries = Object.entries(answers);
  if (entries.length === 0)
    errors.push({ path: 'answers', message: 'answer at least one question' });
  for (const [id, value] of entries) {
    const question = byId.get(id);
    const path = `answers.${id}`;
    if (!question) {
      errors.push({ path, message: 'no such question' });
      continue;
    }
    const problem = answerProblem(question, value);
    if (problem) errors.push({ path, message: problem });
  }
  return errors;
}

const isScale = (value: unknown) =>
  Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 5;

function answerProblem(question: Question, value: AnswerValue): string | null {
  const choices = question.options?.length ?? 0;
  const isChoice = (v: unknown) =>
    Number.isInteger(v) && (v as number) >= 0 && (v as number) < choices;
  switch (question.kind) {
    case 'single':
      return isChoice(value) ? null : `must be the index of one of ${choices} choices`;
    case 'multiple':
      return Array.isArray(value) && value.every(isChoice) && new Set(value).size === value.length
        ? null
        : `must be a list of distinct choice indexes below ${choices}`;
    case 'scale':
      return isScale(value) ? null : 'must be a whole number from 1 to 5';
    case 'text':
      return typeof value === 'string' &&
        value.trim().length > 0 &&
        value.length <= TEXT_ANSWER_MAX_LENGTH
        ? null
        : `must be 1 to ${TEXT_ANSWER_MAX_LENGTH} characters`;
    case 'movies': {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        return 'must map movie ids to ratings 1–5';
      const allowed = new Set((question.movieIds ?? []).map(String));
      const ratings = Object.entries(value);
      return ratings.length > 0 &&
        ratings.every(([movie, rating]) => allowed.has(movie) && isScale(rating))
        ? null
        : "must rate some of the question's movies, each 1 to 5";
    }
  }
}

/** The member's surveys for their data export. */
export async function surveysOfMember(db: Db, memberId: number) {
  const rows = await db.kysely
    .selectFrom('survey_participants as p')
    .innerJoin('surveys as s', 's.id', 'p.survey_id')
    .select(['s.id', 's.title', 'p.status', 'p.decided_at', 'p.answers', 'p.answered_at'])
    .where('p.user_id', '=', memberId)
    .orderBy('p.decided_at')
    .execute();
  return rows.map((row) => ({
    surveyId: row.id,
    title: row.title,
    status: row.status,
    decidedAt: isoTime(Number(row.decided_at)),
    answers: row.answers ? (JSON.parse(row.answers) as Answers) : null,
    answeredAt: row.answered_at === null ? null : isoTime(Number(row.answered_at)),
  }));
}
