/**
 * The researcher console API (issue #5), under /api/console/…. Each area is an encapsulated
 * plugin in console/ with its own role guard: researcher (or admin) for the overview, experiments,
 * the event-log export, model runs and releases; admin for /api/console/admin/… (console/admin.ts).
 * A visitor gets 401 and a member without the role 403 (problem+json). Researchers see
 * pseudonymous data only. The shapes of the API are in console/schemas.ts.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ADMIN_PREFIX, adminRoutes } from './console/admin.ts';
import { CONSOLE_PREFIX } from './console/common.ts';
import { eventRoutes } from './console/events.ts';
import { experimentRoutes } from './console/experiments.ts';
import { overviewRoutes } from './console/overview.ts';
import { releaseRoutes } from './console/releases.ts';
import { runRoutes } from './console/runs.ts';

export const registerConsoleRoutes: FastifyPluginAsyncZod = async (app) => {
  for (const area of [overviewRoutes, experimentRoutes, eventRoutes, runRoutes, releaseRoutes])
    await app.register(area, { prefix: CONSOLE_PREFIX });
  await app.register(adminRoutes, { prefix: ADMIN_PREFIX });
};
