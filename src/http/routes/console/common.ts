/** What the console's route areas share: schema pieces, the error mapping and the role guard. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AccessRequestError } from '../../../services/accessAudit.ts';
import { ExperimentDefinitionError, ExperimentError } from '../../../services/experiments.ts';
import { ModelRunError } from '../../../services/modelRuns.ts';
import { ReleaseJobError } from '../../../services/releaseJobs.ts';
import {
  ForbiddenError,
  hasRole,
  RoleError,
  UnauthenticatedError,
  type Role,
} from '../../../services/roles.ts';
import { HttpProblem } from '../../problem.ts';
import { Problem } from '../../schemas.ts';

export const Count = z.number().int();
export const Time = z.string().describe('ISO 8601 time');
export const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem };

/** The member behind a request that passed the role guard. */
export const who = (request: FastifyRequest) => request.session!.userId;

/**
 * The role check of a route area: an `onRequest` hook on the encapsulated plugin that holds the
 * area's routes, so it applies to whatever route the router matched, however its URL was spelled
 * (never a comparison of URL text). Visitors get 401, members without the role 403. `onDenied`
 * may let a refused request through (returning true) to record the attempt before answering.
 */
export function requireRoleOnRoutes(
  app: FastifyInstance,
  role: Role,
  onDenied: (request: FastifyRequest) => boolean = () => false,
): void {
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const memberId = request.session?.userId ?? null;
    if (memberId === null) throw new HttpProblem(401, 'log in first');
    if (await hasRole(app.services.db, memberId, role)) return;
    if (onDenied(request)) return;
    throw new HttpProblem(
      403,
      role === 'admin'
        ? 'this needs the admin role'
        : 'the console needs the researcher or admin role',
    );
  });
}

/** The service errors a console handler may meet, as problem documents. */
function asProblem(error: unknown): unknown {
  if (error instanceof ExperimentDefinitionError) {
    return new HttpProblem(400, error.message, error.issues);
  }
  if (
    error instanceof ExperimentError ||
    error instanceof ModelRunError ||
    error instanceof ReleaseJobError ||
    error instanceof RoleError ||
    error instanceof AccessRequestError ||
    error instanceof ForbiddenError ||
    error instanceof UnauthenticatedError
  ) {
    const status = error.statusCode;
    const field = /^([A-Za-z][\w.[\]]*): /.exec(error.message);
    return new HttpProblem(
      status,
      error.message,
      field && status === 400
        ? [{ path: field[1], message: error.message.slice(field[0].length) }]
        : undefined,
    );
  }
  return error;
}

/** Runs a service call, turning the errors it may throw into problem documents. */
export async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw asProblem(error);
  }
}
