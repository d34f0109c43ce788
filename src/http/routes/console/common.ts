/** What the console's route areas share: the error responses, the member and the role guard. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { forbidden, unauthenticated } from '../../../services/errors.ts';
import { hasRole, type Role } from '../../../services/roles.ts';
import { Problem } from '../../schemas.ts';

export const CONSOLE_PREFIX = '/api/console';
export const tags = ['console'];
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
    if (memberId === null) throw unauthenticated();
    if (await hasRole(app.services.db, memberId, role)) return;
    if (onDenied(request)) return;
    throw forbidden(
      role === 'admin'
        ? 'this needs the admin role'
        : 'the console needs the researcher or admin role',
    );
  });
}
