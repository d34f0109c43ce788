/**
 * The console's admin area, under /api/console/admin/…: role grants, the access-audit log and the
 * identity lookup. Registered as its own encapsulated plugin with an admin guard, so no spelling
 * of the URL (`%61dmin`) reaches a route without the role; the services check the role again.
 * A refused identity lookup is let through the guard to its route's preValidation hook, which
 * records the attempt (with the member asked about, from the body) before answering 403.
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AUDIT_ACTIONS,
  lookupMemberIdentity,
  readAuditLog,
  recordDeniedIdentityLookup,
} from '../../../services/accessAudit.ts';
import { GRANTABLE_ROLES, grantRole, listRoles, revokeRole } from '../../../services/roles.ts';
import { HttpProblem } from '../../problem.ts';
import { idParam } from '../../schemas.ts';
import { Count, Time, errors, guard, requireRoleOnRoutes, who } from './common.ts';

const RoleGrant = z
  .object({
    memberId: Count,
    role: z.enum(GRANTABLE_ROLES),
    grantedAt: Time,
    grantedBy: Count.nullable(),
  })
  .meta({ id: 'RoleGrant' });

const AuditEntry = z
  .object({
    id: Count,
    occurredAt: Time,
    actorId: Count.nullable(),
    action: z.enum(AUDIT_ACTIONS),
    targetMemberId: Count.nullable(),
    reason: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: 'AuditEntry' });

const IDENTITY_ROUTE = '/identity';

export const ADMIN_PREFIX = '/api/console/admin';

export const adminRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db, vault } = app.services;
  const tags = ['console'];
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
        response: { 200: z.object({ items: z.array(RoleGrant) }), ...errors },
      },
    },
    async (request) => {
      const grants = await guard(() => listRoles(db, { actorId: who(request) }));
      return {
        items: grants.map((grant) => ({ ...grant, grantedAt: grant.grantedAt.toISOString() })),
      };
    },
  );

  const RoleChange = z.object({ memberId: idParam, role: z.enum(GRANTABLE_ROLES) });
  for (const action of ['grant', 'revoke'] as const) {
    app.post(
      `/roles/${action}`,
      {
        schema: {
          tags,
          summary: `Admin: ${action} a role (written to the access-audit log)`,
          body: RoleChange,
          response: { 200: z.object({ changed: z.boolean() }), ...errors },
        },
      },
      async (request) => {
        const { memberId, role } = request.body;
        const options = { actorId: who(request) };
        const changed = await guard(() =>
          action === 'grant'
            ? grantRole(db, memberId, role, options)
            : revokeRole(db, memberId, role, options),
        );
        return { changed };
      },
    );
  }

  app.get(
    '/audit',
    {
      schema: {
        tags,
        summary: 'Admin: the access-audit log, newest first (append-only)',
        querystring: z.object({
          limit: z.preprocess(
            (value) => (value === '' ? undefined : value),
            z.coerce.number().int().min(1).max(1000).optional(),
          ),
          beforeId: z.preprocess(
            (value) => (value === '' ? undefined : value),
            z.coerce.number().int().min(1).optional(),
          ),
        }),
        response: { 200: z.object({ items: z.array(AuditEntry) }), ...errors },
      },
    },
    async (request) => {
      const entries = await guard(() =>
        readAuditLog(db, who(request), {
          limit: request.query.limit,
          beforeId: request.query.beforeId,
        }),
      );
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
        throw new HttpProblem(403, 'this needs the admin role (the attempt is in the audit log)');
      },
      schema: {
        tags,
        summary:
          'Admin: who is this member? Needs a reason; the lookup is audited before the vault is asked',
        body: z.object({
          memberId: idParam,
          reason: z.string().max(500).describe('why you need to know (10–500 characters)'),
        }),
        response: {
          200: z.object({
            memberId: Count,
            email: z.string().nullable(),
            auditEntryId: Count,
          }),
          ...errors,
        },
      },
    },
    async (request) =>
      guard(() =>
        lookupMemberIdentity(db, vault, {
          adminId: who(request),
          memberId: request.body.memberId,
          reason: request.body.reason,
        }),
      ),
  );
};
