/**
 * A member's surveys under /api/surveys (members only): the invitations, one survey with its
 * privacy statement, accepting or declining it, answering, and withdrawing the answers.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  acceptSurvey,
  answerSurvey,
  declineSurvey,
  memberInvitations,
  memberSurvey,
  withdrawFromSurvey,
} from '../../services/surveyParticipation.ts';
import { member, membersOnly } from '../context.ts';
import { AnswersBody, IdParams, MemberSurvey, MemberSurveyList } from '../extrasSchemas.ts';
import { problems } from '../schemas.ts';

const tags = ['surveys'];

export const memberSurveyRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app.services;
  membersOnly(app);

  app.get(
    '/',
    {
      schema: {
        tags,
        summary: 'The open surveys you are invited to (taking part is optional)',
        response: { 200: MemberSurveyList, ...problems(401) },
      },
    },
    async (request) => ({ items: await memberInvitations(db, member(request)) }),
  );

  app.get(
    '/:id',
    {
      schema: {
        tags,
        summary: 'One survey: its privacy statement, questions and your answers',
        params: IdParams,
        response: { 200: MemberSurvey, ...problems(401, 404) },
      },
    },
    async (request) => memberSurvey(db, member(request), request.params.id),
  );

  for (const [action, decide] of [
    ['accept', acceptSurvey],
    ['decline', declineSurvey],
  ] as const) {
    app.post(
      `/:id/${action}`,
      {
        schema: {
          tags,
          summary:
            action === 'accept'
              ? "Accept the survey's privacy statement (then answer)"
              : 'Decline the survey (nothing else changes)',
          params: IdParams,
          response: { 200: MemberSurvey, ...problems(401, 404, 409) },
        },
      },
      async (request) => decide(db, member(request), request.params.id),
    );
  }

  app.put(
    '/:id/answers',
    {
      schema: {
        tags,
        summary: 'Answer (after accepting the statement, while the survey is open)',
        params: IdParams,
        body: AnswersBody,
        response: { 200: MemberSurvey, ...problems(400, 401, 404, 409) },
      },
    },
    async (request) => answerSurvey(db, member(request), request.params.id, request.body.answers),
  );

  app.delete(
    '/:id/answers',
    {
      schema: {
        tags,
        summary: 'Withdraw: your answers and acceptance are deleted (until the survey closes)',
        params: IdParams,
        response: { 204: z.undefined(), ...problems(401, 404, 409) },
      },
    },
    async (request, reply) => {
      await withdrawFromSurvey(db, member(request), request.params.id);
      return reply.code(204).send();
    },
  );
};
