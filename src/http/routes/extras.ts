/**
 * The research extras of issue #15, each area its own encapsulated plugin with its own guard:
 * announcements (public list; admin console) and surveys (members; researcher console; admin
 * approval).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ANNOUNCEMENTS_PREFIX,
  announcementConsoleRoutes,
  publishedAnnouncementRoutes,
} from './announcements.ts';
import { ADMIN_PREFIX } from './console/admin.ts';
import { CONSOLE_PREFIX } from './console/common.ts';
import { surveyApprovalRoutes, surveyConsoleRoutes } from './console/surveys.ts';
import { memberSurveyRoutes } from './surveys.ts';

export const registerExtrasRoutes: FastifyPluginAsyncZod = async (app) => {
  await app.register(publishedAnnouncementRoutes);
  await app.register(announcementConsoleRoutes, { prefix: ANNOUNCEMENTS_PREFIX });
  await app.register(memberSurveyRoutes, { prefix: '/api/surveys' });
  await app.register(surveyConsoleRoutes, { prefix: CONSOLE_PREFIX });
  await app.register(surveyApprovalRoutes, { prefix: ADMIN_PREFIX });
};
