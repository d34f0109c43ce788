/**
 * The console's surveys: researchers define them and read results and answers (pseudonymous ids
 * only; every export audited) under /api/console/surveys; an admin approves one before it opens
 * under /api/console/admin/surveys (its own plugin with an admin guard).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  approveSurvey,
  createSurvey,
  getSurvey,
  listSurveys,
} from '../../../services/surveyDefinitions.ts';
import { inviteToSurvey } from '../../../services/surveyInvitations.ts';
import { exportSurveyAnswers, surveyResults } from '../../../services/surveyResults.ts';
import {
  Announcement,
  IdParams,
  InvitationBody,
  Survey,
  SurveyDefinitionBody,
  SurveyExportQuery,
  SurveyList,
  SurveyResults,
  SurveyResultsQuery,
} from '../../extrasSchemas.ts';
import { errors, requireRoleOnRoutes, tags, who } from './common.ts';

export const surveyConsoleRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app.services;
  requireRoleOnRoutes(app, 'researcher');

  app.get(
    '/surveys',
    {
      schema: {
        tags,
        summary: 'Every survey, newest first',
        response: { 200: SurveyList, ...errors },
      },
    },
    async () => ({ items: await listSurveys(db) }),
  );

  app.post(
    '/surveys',
    {
      schema: {
        tags,
        summary:
          'Define a survey with its own privacy statement (an admin approves it before it opens)',
        body: SurveyDefinitionBody,
        response: { 201: Survey, ...errors },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await createSurvey(db, who(request), request.body)),
  );

  app.get(
    '/surveys/:id',
    {
      schema: {
        tags,
        summary: 'One survey',
        params: IdParams,
        response: { 200: Survey, ...errors },
      },
    },
    async (request) => getSurvey(db, request.params.id),
  );

  app.get(
    '/surveys/:id/results',
    {
      schema: {
        tags,
        summary:
          'Counts and distributions per question; with experimentId, the scale answers by arm with 95% intervals',
        params: IdParams,
        querystring: SurveyResultsQuery,
        response: { 200: SurveyResults, ...errors },
      },
    },
    async (request) => surveyResults(db, request.params.id, request.query.experimentId),
  );

  app.get(
    '/surveys/:id/export',
    {
      schema: {
        tags,
        summary:
          'Download the answers as CSV or JSON Lines (pseudonymous ids; e-mail addresses in free text removed); audited',
        params: IdParams,
        querystring: SurveyExportQuery,
        response: { 200: z.string().describe('text/csv or application/x-ndjson'), ...errors },
      },
    },
    async (request, reply) => {
      const { format } = request.query;
      const body = await exportSurveyAnswers(db, who(request), request.params.id, format);
      return reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="lenslab-survey-${request.params.id}.${format}"`,
        )
        .send(body);
    },
  );
};

export const surveyApprovalRoutes: FastifyPluginAsyncZod = async (app) => {
  requireRoleOnRoutes(app, 'admin');
  app.post(
    '/surveys/:id/invite',
    {
      schema: {
        tags,
        summary:
          "Admin: mail an invitation to the survey's audience (opted-in members who have not decided yet), as an announcement; audited",
        params: IdParams,
        body: InvitationBody.nullish(),
        response: { 202: Announcement, ...errors },
      },
    },
    async (request, reply) => {
      const invitation = await inviteToSurvey(
        app.services,
        who(request),
        request.params.id,
        request.body?.ratePerMinute,
      );
      return reply.code(202).send(invitation);
    },
  );

  app.post(
    '/surveys/:id/approve',
    {
      schema: {
        tags,
        summary: 'Admin: approve a survey so that it opens at its date (audited)',
        params: IdParams,
        response: { 200: Survey, ...errors },
      },
    },
    async (request) => approveSurvey(app.services.db, who(request), request.params.id),
  );
};
