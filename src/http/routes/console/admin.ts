/**
 * The console's admin area, under /api/console/admin/…: role grants, the access-audit log and the
 * identity lookup. Registered as its own encapsulated plugin with an admin guard, so no spelling
 * of the URL (`%61dmin`) reaches a route without the role; the services check the role again.
 * A refused identity lookup is let through the guard to its route's preValidation hook, which
 * records the attempt (with the member asked about, from the body) before answering 403.
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  lookupMemberIdentity,
  readAuditLog,
  recordDeniedIdentityLookup,
} from '../../../services/accessAudit.ts';
import { forbidden } from '../../../services/errors.ts';
import { grantRole, listRoles, revokeRole } from '../../../services/roles.ts';
import { CONSOLE_PREFIX, errors, requireRoleOnRoutes, tags, who } from './common.ts';
import {
  AuditLog,
  AuditQuery,
  IdentityLookup,
  IdentityLookupBody,
  RoleChange,
  RoleChangeResult,
  RoleList,
} from './schemas.ts';

const IDENTITY_ROUTE = '/identity';

export const ADMIN_PREFIX = `${CONSOLE_PREFIX}/admin`;

export const adminRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db, vault } = app.services;
  const deniedLookups = new WeakSet<FastifyRequest>();
  requireRoleOnRoutes(app, 'admin', (request) => {
    // The matched route's own pattern (set by the router), not the URL the client sent.
    if (request.method !== 'POST' || request.routeOptions.url !== ADMIN_PREFIX + IDENTITY_ROUTE)
      return false;
    deniedLookups.add(request);
    return true;
  });

  app.get(
    '/roles',
    {
      schema: {
        tags,
        summary: 'Admin: every researcher and admin grant',
        response: { 200: RoleList, ...errors },
      },
    },
    async (request) => {
      const grants = await listRoles(db, { actorId: who(request) });
      return {
        items: grants.map((grant) => ({ ...grant, grantedAt: grant.grantedAt.toISOString() })),
      };
    },
  );

  for (const action of ['grant', 'revoke'] as const) {
    app.post(
      `/roles/${action}`,
      {
        schema: {
          tags,
          summary: `Admin: ${action} a role (written to the access-audit log)`,
          body: RoleChange,
          response: { 200: RoleChangeResult, ...errors },
        },
      },
      async (request) => {
        const { memberId, role } = request.body;
        const change = action === 'grant' ? grantRole : revokeRole;
        return { changed: await change(db, memberId, role, { actorId: who(request) }) };
      },
    );
  }

  app.get(
    '/audit',
    {
      schema: {
        tags,
        summary: 'Admin: the access-audit log, newest first (append-only)',
        querystring: AuditQuery,
        response: { 200: AuditLog, ...errors },
      },
    },
    async (request) => {
      const entries = await readAuditLog(db, who(request), {
        limit: request.query.limit,
        beforeId: request.query.beforeId,
      });
      return {
        items: entries.map((entry) => ({ ...entry, occurredAt: entry.occurredAt.toISOString() })),
      };
    },
  );

  app.post(
    IDENTITY_ROUTE,
    {
      preValidation: async (request) => {
        if (!deniedLookups.has(request)) return;
        const body = (request.body ?? {}) as { memberId?: unknown; reason?: unknown };
        await recordDeniedIdentityLookup(db, {
          actorId: who(request),
          memberId: body.memberId,
          reason: body.reason,
        });
        throw forbidden('this needs the admin role (the attempt is in the audit log)');
      },
      schema: {
        tags,
        summary:
          'Admin: who is this member? Needs a reason; the lookup is audited before the vault is asked',
        body: IdentityLookupBody,
        response: { 200: IdentityLookup, ...errors },
      },
    },
    async (request) =>
      lookupMemberIdentity(db, vault, {
        adminId: who(request),
        memberId: request.body.memberId,
        reason: request.body.reason,
      }),
  );
};
