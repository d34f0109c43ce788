/**
 * Roles: every member has the role `member`; `researcher` and `admin` are granted (by
 * `lenslab users grant` on the server, or by an admin in the console). An admin can do what a
 * researcher can. Grants and revocations are written to the access-audit log.
 *
 * HTTP handlers check roles server-side with `requireRole` (401 without a member, 403 without
 * the role): the errors carry `statusCode`, which Fastify turns into the response status.
 */
import type { Db } from '../db/connection.ts';

export const ROLES = ['member', 'researcher', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const GRANTABLE_ROLES = ['researcher', 'admin'] as const;
export type GrantableRole = (typeof GRANTABLE_ROLES)[number];

/** A role request that cannot be carried out (unknown role or member): 400. */
export class RoleError extends Error {
  readonly statusCode = 400;
  constructor(message: string) {
    super(message);
    this.name = 'RoleError';
  }
}

/** Not logged in where a role is required: 401. */
export class UnauthenticatedError extends Error {
  readonly statusCode = 401;
  constructor(message = 'log in first') {
    super(message);
    this.name = 'UnauthenticatedError';
  }
}

/** Logged in without the role the action needs: 403. */
export class ForbiddenError extends Error {
  readonly statusCode = 403;
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

export function isGrantableRole(role: string): role is GrantableRole {
  return (GRANTABLE_ROLES as readonly string[]).includes(role);
}

function checkGrantable(role: string): GrantableRole {
  if (!isGrantableRole(role)) {
    throw new RoleError(`role: must be one of ${GRANTABLE_ROLES.join(', ')}, got "${role}"`);
  }
  return role;
}

async function memberExists(db: Db, memberId: number): Promise<boolean> {
  const row = await db.kysely
    .selectFrom('users')
    .select('id')
    .where('id', '=', memberId)
    .executeTakeFirst();
  return row !== undefined;
}

/** The member's roles ('member' first), or [] when there is no such member. */
export async function rolesOf(db: Db, memberId: number): Promise<Role[]> {
  if (!Number.isSafeInteger(memberId) || !(await memberExists(db, memberId))) return [];
  const rows = await db.kysely
    .selectFrom('user_roles')
    .select('role')
    .where('user_id', '=', memberId)
    .execute();
  const granted = new Set(rows.map((row) => row.role));
  return ROLES.filter((role) => role === 'member' || granted.has(role));
}

/** True when the member has the role; an admin has every role. */
export async function hasRole(db: Db, memberId: number, role: Role): Promise<boolean> {
  const roles = await rolesOf(db, memberId);
  return roles.includes(role) || (roles.includes('admin') && role !== 'member');
}

/** Throws UnauthenticatedError (401) without a member, ForbiddenError (403) without the role. */
export async function requireRole(
  db: Db,
  memberId: number | null | undefined,
  role: Role,
): Promise<void> {
  if (memberId === null || memberId === undefined) throw new UnauthenticatedError();
  if (!(await hasRole(db, memberId, role))) {
    throw new ForbiddenError(`this needs the ${role} role`);
  }
}

export interface RoleGrant {
  memberId: number;
  role: GrantableRole;
  grantedAt: Date;
  /** The admin who granted it; null for the command line. */
  grantedBy: number | null;
}

export interface RoleChangeOptions {
  /** The admin making the change (checked); null or absent for the command line on the server. */
  actorId?: number | null;
}

async function checkActor(
  db: Db,
  actorId: number | null | undefined,
  what = 'change roles',
): Promise<number | null> {
  if (actorId === null || actorId === undefined) return null;
  if (!(await hasRole(db, actorId, 'admin'))) throw new ForbiddenError(`only an admin can ${what}`);
  return actorId;
}

async function auditRoleChange(
  db: Db,
  action: 'role_granted' | 'role_revoked',
  actorId: number | null,
  memberId: number,
  role: GrantableRole,
): Promise<void> {
  await db.kysely
    .insertInto('access_audit_log')
    .values({
      occurred_at_ms: Date.now(),
      actor_id: actorId,
      action,
      target_user_id: memberId,
      reason: null,
      detail: JSON.stringify({ role }),
    })
    .execute();
}

/** Grants a role; resolves to false when the member already had it (nothing changes then). */
export async function grantRole(
  db: Db,
  memberId: number,
  role: string,
  options: RoleChangeOptions = {},
): Promise<boolean> {
  const grantable = checkGrantable(role);
  const actorId = await checkActor(db, options.actorId);
  if (!Number.isSafeInteger(memberId) || !(await memberExists(db, memberId))) {
    throw new RoleError(`member ${memberId} does not exist`);
  }
  return db.kysely.transaction().execute(async (trx) => {
    const result = await trx
      .insertInto('user_roles')
      .values({
        user_id: memberId,
        role: grantable,
        granted_at: Math.floor(Date.now() / 1000),
        granted_by: actorId,
      })
      .onConflict((conflict) => conflict.columns(['user_id', 'role']).doNothing())
      .executeTakeFirst();
    if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) return false;
    await auditRoleChange({ ...db, kysely: trx }, 'role_granted', actorId, memberId, grantable);
    return true;
  });
}

/** Revokes a role; resolves to false when the member did not have it. */
export async function revokeRole(
  db: Db,
  memberId: number,
  role: string,
  options: RoleChangeOptions = {},
): Promise<boolean> {
  const grantable = checkGrantable(role);
  const actorId = await checkActor(db, options.actorId);
  return db.kysely.transaction().execute(async (trx) => {
    const result = await trx
      .deleteFrom('user_roles')
      .where('user_id', '=', memberId)
      .where('role', '=', grantable)
      .executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) return false;
    await auditRoleChange({ ...db, kysely: trx }, 'role_revoked', actorId, memberId, grantable);
    return true;
  });
}

/** Every researcher and admin grant, by member id (`actorId`, when given, must be an admin). */
export async function listRoles(db: Db, options: RoleChangeOptions = {}): Promise<RoleGrant[]> {
  await checkActor(db, options.actorId, 'list roles');
  const rows = await db.kysely
    .selectFrom('user_roles')
    .selectAll()
    .orderBy('user_id')
    .orderBy('role')
    .execute();
  return rows.map((row) => ({
    memberId: row.user_id,
    role: row.role as GrantableRole,
    grantedAt: new Date(Number(row.granted_at) * 1000),
    grantedBy: row.granted_by,
  }));
}
