/**
 * Survey answers in a release. Answers are what members told a researcher, so they go out only
 * when the policy says so, only for surveys whose privacy statement allowed a release (the
 * source holds no others), only for members in this release (who agreed to research use), under
 * the release's pseudonyms, never with a username or a date. Free text leaves with its e-mail
 * addresses replaced; 'rate these movies' answers only for movies the release keeps.
 */
import type { Ratings, SurveyAnswerValue, SurveyData } from '../datasets/dataset.ts';
import { countEmailAddresses, replaceEmailAddresses } from './emailText.ts';

export const REDACTED_EMAIL = '[e-mail removed]';

/** What a release holds of one survey (the privacy report's summary). */
export interface SurveyReleaseCount {
  surveyId: number;
  title: string;
  /** Released members whose answers are in the file. */
  respondents: number;
  /** Rows of the file: one per member, question and item (a choice, a movie). */
  answers: number;
  /** E-mail addresses replaced in free-text answers. */
  redactedEmails: number;
  /** Ratings of 'rate these movies' answers left out: the release does not keep the movie. */
  droppedMovieRatings: number;
}

export interface ReleasedSurveys {
  /** Only surveys with answers left; user ids are pseudonyms, sorted by them. */
  surveys: SurveyData[];
  counts: SurveyReleaseCount[];
}

/** One row of a survey's answers file. */
export interface SurveyAnswerRow {
  userId: number;
  questionId: string;
  /** The choice or the movie id; empty for scale and text answers. */
  item: string;
  answer: string;
}

/** The release's answers file of a survey (ml-1m and ml-latest alike: see surveyNotes). */
export const surveyFileName = (surveyId: number) => `survey-${surveyId}.csv`;

/**
 * `released`: the released ratings (its movies are the movies the release keeps);
 * `releaseIdOf`: live user id → pseudonym, for the released users only.
 */
export function releaseSurveys(
  source: { surveys?: SurveyData[] },
  released: Ratings,
  releaseIdOf: ReadonlyMap<number, number>,
): ReleasedSurveys {
  const surveys: SurveyData[] = [];
  const counts: SurveyReleaseCount[] = [];
  for (const survey of source.surveys ?? []) {
    const count = { redactedEmails: 0, droppedMovieRatings: 0 };
    const questions = survey.questions.map((question) =>
      question.movieIds
        ? { ...question, movieIds: question.movieIds.filter((id) => released.itemIds.has(id)) }
        : { ...question },
    );
    const responses: SurveyData['responses'] = [];
    for (const response of survey.responses) {
      const userId = releaseIdOf.get(response.userId);
      if (userId === undefined) continue;
      const answers: Record<string, SurveyAnswerValue> = {};
      for (const question of survey.questions) {
        const value = response.answers[question.id];
        const kept = value === undefined ? undefined : releasedAnswer(value, released, count);
        if (kept !== undefined) answers[question.id] = kept;
      }
      if (Object.keys(answers).length > 0) responses.push({ userId, answers });
    }
    if (responses.length === 0) continue;
    responses.sort((a, b) => a.userId - b.userId);
    const data: SurveyData = { id: survey.id, title: survey.title, questions, responses };
    surveys.push(data);
    counts.push({
      surveyId: survey.id,
      title: survey.title,
      respondents: responses.length,
      answers: surveyAnswerRows(data).length,
      ...count,
    });
  }
  return { surveys, counts };
}

function releasedAnswer(
  value: SurveyAnswerValue,
  released: Ratings,
  count: { redactedEmails: number; droppedMovieRatings: number },
): SurveyAnswerValue | undefined {
  if (typeof value === 'string') {
    const text = value.normalize('NFKC');
    count.redactedEmails += countEmailAddresses(text);
    return replaceEmailAddresses(text, REDACTED_EMAIL);
  }
  if (typeof value === 'number' || Array.isArray(value)) return value;
  const kept: Record<string, number> = {};
  for (const [movie, rating] of Object.entries(value)) {
    if (released.itemIds.has(Number(movie))) kept[movie] = rating;
    else count.droppedMovieRatings++;
  }
  return Object.keys(kept).length > 0 ? kept : undefined;
}

/** The rows of a released survey's file, by member then question (as the researchers' export). */
export function surveyAnswerRows(survey: SurveyData): SurveyAnswerRow[] {
  const rows: SurveyAnswerRow[] = [];
  for (const { userId, answers } of survey.responses) {
    for (const question of survey.questions) {
      const value = answers[question.id];
      if (value === undefined) continue;
      const row = (item: string, answer: string) =>
        rows.push({ userId, questionId: question.id, item, answer });
      if (question.kind === 'text' || question.kind === 'scale') row('', String(value));
      else if (question.kind === 'movies')
        for (const [movie, rating] of Object.entries(value as Record<string, number>))
          row(movie, String(rating));
      else
        for (const index of Array.isArray(value) ? value : [value as number])
          row(question.options?.[index] ?? String(index), '1');
    }
  }
  return rows;
}

const csvField = (text: string) => (/[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** A survey's answers file: `userId,questionId,item,answer`, UTF-8, quoted as RFC 4180. */
export function surveyCsv(survey: SurveyData): string {
  const lines = surveyAnswerRows(survey).map((row) =>
    [String(row.userId), row.questionId, csvField(row.item), csvField(row.answer)].join(','),
  );
  return ['userId,questionId,item,answer', ...lines].join('\n') + '\n';
}
