/**
 * The shapes of the announcements and surveys API (issue #15), for members and the console. The
 * web app imports their types (`import type` and `z.infer`).
 */
import { z } from 'zod';
import {
  ANNOUNCEMENT_STATUSES,
  BODY_MAX_LENGTH,
  MAX_RATE_PER_MINUTE,
  SUBJECT_MAX_LENGTH,
} from '../services/announcements.ts';
import { QUESTION_KINDS, TEXT_ANSWER_MAX_LENGTH } from '../services/surveyDefinitions.ts';
import { EstimateSchema, Time } from './routes/console/schemas.ts';
import { idParam, queryInt } from './schemas.ts';

const Count = z.number().int();

export const IdParams = z.object({ id: idParam });

// ---- announcements -----------------------------------------------------------------------------

export const AnnouncementDraftBody = z.object({
  subject: z.string().max(SUBJECT_MAX_LENGTH),
  body: z.string().max(BODY_MAX_LENGTH).describe('Markdown'),
  ratePerMinute: z.number().int().min(1).max(MAX_RATE_PER_MINUTE).optional(),
});

export const Announcement = z
  .object({
    id: Count,
    subject: z.string(),
    body: z.string(),
    status: z.enum(ANNOUNCEMENT_STATUSES),
    ratePerMinute: Count,
    recipients: Count.nullable().describe('members it was to reach when sending started'),
    sent: Count,
    progress: z.number().describe('0..1'),
    createdBy: Count.nullable(),
    createdAt: Time,
    sentBy: Count.nullable(),
    startedAt: Time.nullable(),
    finishedAt: Time.nullable(),
    surveyId: Count.nullable().describe("an invitation to this survey's audience"),
  })
  .meta({ id: 'Announcement' });

export const InvitationBody = z.object({
  ratePerMinute: z.number().int().min(1).max(MAX_RATE_PER_MINUTE).optional(),
});

export const AnnouncementList = z.object({
  items: z.array(Announcement),
  busy: z.boolean().describe('an announcement is being sent (poll for progress)'),
  optedIn: Count.describe('members an announcement would reach now'),
});

export const AnnouncementPreview = z.object({
  subject: z.string(),
  text: z.string(),
  html: z.string(),
  recipients: Count,
});

export const PublishedAnnouncements = z.object({
  items: z.array(z.object({ id: Count, subject: z.string(), html: z.string(), sentAt: Time })),
});

// ---- surveys -----------------------------------------------------------------------------------

const Statement = z.object({
  collected: z.string().max(2000).describe('what is collected'),
  purpose: z.string().max(2000).describe('why'),
  access: z.string().max(2000).describe('who sees it'),
  retention: z.string().max(2000).describe('how long it is kept'),
});

const QuestionFields = {
  kind: z.enum(QUESTION_KINDS),
  prompt: z.string().max(500),
  options: z.array(z.string().max(200)).max(20).optional(),
  movieIds: z.array(idParam).max(20).optional(),
};

const Audience = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all') }),
  z.object({
    kind: z.literal('experiment'),
    experimentId: idParam,
    variant: z.string().optional(),
  }),
  z.object({ kind: z.literal('rated'), movieId: idParam }),
]);

export const SurveyDefinitionBody = z.object({
  title: z.string().max(200),
  statement: Statement,
  questions: z.array(z.object(QuestionFields)).max(50),
  audience: Audience,
  opensAt: z.string().max(40).describe('ISO 8601 time'),
  closesAt: z.string().max(40).describe('ISO 8601 time'),
  releasable: z
    .boolean()
    .optional()
    .describe('the statement says the answers may go into a published dataset release'),
});

export const Survey = z
  .object({
    id: Count,
    title: z.string(),
    statement: Statement,
    questions: z.array(z.object({ id: z.string(), ...QuestionFields })),
    audience: Audience,
    releasable: z.boolean(),
    opensAt: Time,
    closesAt: Time,
    state: z.enum(['awaiting-approval', 'scheduled', 'open', 'closed']),
    createdBy: Count.nullable(),
    createdAt: Time,
    approvedBy: Count.nullable(),
    approvedAt: Time.nullable(),
  })
  .meta({ id: 'Survey' });

export const SurveyList = z.object({ items: z.array(Survey) });

const AnswerValue = z.union([
  z.number().int(),
  z.array(z.number().int()).max(20),
  z.string().max(TEXT_ANSWER_MAX_LENGTH),
  z.record(z.string(), z.number().int()),
]);

export const Answers = z
  .record(z.string().max(10), AnswerValue)
  .describe(
    'question id → a choice index (single), indexes (multiple), 1–5 (scale), text, or movie id → 1–5 (movies)',
  );

export const AnswersBody = z.object({ answers: Answers });

export const MemberSurvey = Survey.omit({ createdBy: true, approvedBy: true })
  .extend({
    participation: z.enum(['accepted', 'declined', 'answered']).nullable(),
    answers: Answers.nullable(),
    movieTitles: z.record(z.string(), z.string()).describe('movie id → title'),
  })
  .meta({ id: 'MemberSurvey' });

export const MemberSurveyList = z.object({ items: z.array(MemberSurvey) });

export const SurveyResultsQuery = z.object({ experimentId: queryInt(1, 2 ** 31 - 1) });

export const SurveyResults = z.object({
  survey: Survey,
  respondents: Count,
  declined: Count,
  questions: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(QUESTION_KINDS),
      prompt: z.string(),
      answered: Count,
      options: z.array(z.object({ label: z.string(), count: Count, share: EstimateSchema })),
      distribution: z.array(Count).describe('scale: how many chose 1, 2, 3, 4, 5'),
      mean: EstimateSchema.nullable(),
      movies: z.array(
        z.object({ movieId: Count, title: z.string().nullable(), mean: EstimateSchema }),
      ),
    }),
  ),
  byArm: z
    .array(
      z.object({
        variant: z.string(),
        respondents: Count,
        means: z.array(z.object({ question: z.string(), mean: EstimateSchema })),
      }),
    )
    .nullable(),
});

export const SurveyExportQuery = z.object({ format: z.enum(['csv', 'jsonl']).default('csv') });
