/**
 * Roles: every member has the role `member`; `researcher` and `admin` are granted (by
 * `lenslab users grant` on the server, or by an admin in the console). An admin can do what a
 * researcher can. Grants and revocations are written to the access-audit log.
 *
 * Handlers check roles server-side with `requireRole` (`unauthenticated` without a member,
 * `forbidden` without the role: 401 and 403 over HTTP).
 */
import type { Db } from '../db/connection.ts';
import { forbidden, invalid, unauthenticated } from './errors.ts';

export const ROLES = ['member', 'researcher', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const GRANTABLE_ROLES = ['researcher', 'admin'] as const;
export type GrantableRole = (typeof GRANTABLE_ROLES)[number];

export function isGrantableRole(role: string): role is GrantableRole {
  return (GRANTABLE_ROLES as readonly string[]).includes(role);
}

function checkGrantable(role: string): GrantableRole {
  if (!isGrantableRole(role)) {
    throw invalid(`role: must be one of ${GRANTABLE_ROLES.join(', ')}, got "${role}"`);
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

/** Throws `unauthenticated` without a member, `forbidden` without the role. */
export async function requireRole(
  db: Db,
  memberId: number | null | undefined,
  role: Role,
): Promise<void> {
  if (memberId === null || memberId === undefined) throw unauthenticated();
  if (!(await hasRole(db, memberId, role))) {
    throw forbidden(`this needs the ${role} role`);
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
  if (!(await hasRole(db, actorId, 'admin'))) throw forbidden(`only an admin can ${what}`);
  return actorId;
}

/**
 * A grant or a revocation: checks the role and the actor, makes the change in a transaction and,
 * when something changed, writes it to the access-audit log in the same transaction.
 */
async function changeRole(
  db: Db,
  action: 'role_granted' | 'role_revoked',
  memberId: number,
  role: string,
  options: RoleChangeOptions,
  change: (trx: Db, role: GrantableRole, actorId: number | null) => Promise<boolean>,
): Promise<boolean> {
  const grantable = checkGrantable(role);
  const actorId = await checkActor(db, options.actorId);
  return db.kysely.transaction().execute(async (kysely) => {
    const trx = { ...db, kysely };
    if (!(await change(trx, grantable, actorId))) return false;
    await kysely
      .insertInto('access_audit_log')
      .values({
        occurred_at_ms: Date.now(),
        actor_id: actorId,
        action,
        target_user_id: memberId,
        reason: null,
        detail: JSON.stringify({ role: grantable }),
      })
      .execute();
    return true;
  });
}

/** Grants a role; resolves to false when the member already had it (nothing changes then). */
export function grantRole(
  db: Db,
  memberId: number,
  role: string,
  options: RoleChangeOptions = {},
): Promise<boolean> {
  return changeRole(
    db,
    'role_granted',
    memberId,
    role,
    options,
    async (trx, grantable, actorId) => {
      if (!Number.isSafeInteger(memberId) || !(await memberExists(trx, memberId))) {
        throw invalid(`member ${memberId} does not exist`);
      }
      const result = await trx.kysely
        .insertInto('user_roles')
        .values({
          user_id: memberId,
          role: grantable,
          granted_at: Math.floor(Date.now() / 1000),
          granted_by: actorId,
        })
        .onConflict((oc) => oc.columns(['user_id', 'role']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },
  );
}

/** Revokes a role; resolves to false when the member did not have it. */
export function revokeRole(
  db: Db,
  memberId: number,
  role: string,
  options: RoleChangeOptions = {},
): Promise<boolean> {
  return changeRole(db, 'role_revoked', memberId, role, options, async (trx, grantable) => {
    const result = await trx.kysely
      .deleteFrom('user_roles')
      .where('user_id', '=', memberId)
      .where('role', '=', grantable)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
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
