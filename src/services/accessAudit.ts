/**
 * The access-audit log and the one way to learn who a member is.
 *
 * Researchers see pseudonymous data only. Looking a member's identity up in the vault is an
 * admin-only action that needs a stated reason, and the lookup is written to the access-audit
 * log BEFORE the vault is asked, so no lookup can happen without its record. The log is
 * append-only: this module has no update or delete, and database triggers refuse UPDATE and
 * DELETE (see migration 0003_research). Admins can read it.
 */
import type { Db } from '../db/connection.ts';
import { forbidden, invalid, unauthenticated } from './errors.ts';
import { hasRole } from './roles.ts';
import type { Vault } from './vault.ts';

export const AUDIT_ACTIONS = [
  'identity_lookup',
  'identity_lookup_denied',
  'role_granted',
  'role_revoked',
  'events_exported',
  'release_started',
  'announcement_sent',
  'survey_approved',
  'survey_answers_exported',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  id: number;
  occurredAt: Date;
  /** The member who acted; null for the command line on the server. */
  actorId: number | null;
  action: AuditAction;
  targetMemberId: number | null;
  reason: string | null;
  detail: Record<string, unknown> | null;
}

export const REASON_MIN_LENGTH = 10;
export const REASON_MAX_LENGTH = 500;

/** Appends one entry to the access-audit log (the only write this log allows). */
export async function appendAuditEntry(
  db: Db,
  entry: {
    actorId: number | null;
    action: AuditAction;
    targetMemberId?: number | null;
    reason?: string | null;
    detail?: Record<string, unknown> | null;
  },
): Promise<number> {
  const row = await db.kysely
    .insertInto('access_audit_log')
    .values({
      occurred_at_ms: Date.now(),
      actor_id: entry.actorId,
      action: entry.action,
      target_user_id: entry.targetMemberId ?? null,
      reason: entry.reason ?? null,
      detail: entry.detail ? JSON.stringify(entry.detail) : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/**
 * The newest entries first, for an admin (`readerId`, checked; null for the command line).
 * Page back with `beforeId`.
 */
export async function readAuditLog(
  db: Db,
  readerId: number | null,
  options: { limit?: number; beforeId?: number } = {},
): Promise<AuditEntry[]> {
  if (readerId !== null && !(await hasRole(db, readerId, 'admin'))) {
    throw forbidden('only an admin can read the access-audit log');
  }
  let query = db.kysely
    .selectFrom('access_audit_log')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(Math.min(Math.max(1, options.limit ?? 100), 1000));
  if (options.beforeId !== undefined) query = query.where('id', '<', options.beforeId);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: Number(row.id),
    occurredAt: new Date(Number(row.occurred_at_ms)),
    actorId: row.actor_id,
    action: row.action as AuditAction,
    targetMemberId: row.target_user_id,
    reason: row.reason,
    detail: row.detail ? (JSON.parse(row.detail) as Record<string, unknown>) : null,
  }));
}

/** What the lookup needs from the vault (`Vault.emailOf`): the member's e-mail, or null. */
export type IdentitySource = Pick<Vault, 'emailOf'>;

export interface IdentityLookup {
  memberId: number;
  /** null when the member has no identity (an imported research member, or deleted). */
  email: string | null;
  /** The audit-log entry that records this lookup. */
  auditEntryId: number;
}

/**
 * Admin-only: who is member `memberId`? Requires a reason (10–500 characters). The lookup is
 * written to the access-audit log first, then the vault is asked. A refused attempt by a
 * non-admin is logged too.
 */
export async function lookupMemberIdentity(
  db: Db,
  vault: IdentitySource,
  request: { adminId: number | null | undefined; memberId: number; reason: string },
): Promise<IdentityLookup> {
  const { adminId, memberId } = request;
  if (adminId === null || adminId === undefined) throw unauthenticated();
  if (!Number.isSafeInteger(memberId) || memberId <= 0) {
    throw invalid(`memberId: must be a positive whole number, got ${memberId}`);
  }
  const reason = typeof request.reason === 'string' ? request.reason.trim() : '';
  if (!(await hasRole(db, adminId, 'admin'))) {
    await recordDeniedIdentityLookup(db, { actorId: adminId, memberId, reason });
    throw forbidden("only an admin can look up a member's identity");
  }
  if (reason.length < REASON_MIN_LENGTH || reason.length > REASON_MAX_LENGTH) {
    throw invalid(
      `reason: say why you need this member's identity (${REASON_MIN_LENGTH} to ${REASON_MAX_LENGTH} characters)`,
    );
  }
  const auditEntryId = await appendAuditEntry(db, {
    actorId: adminId,
    action: 'identity_lookup',
    targetMemberId: memberId,
    reason,
  });
  const email = await revealMemberEmail(db, vault, memberId);
  return { memberId, email, auditEntryId };
}

/**
 * Records a refused identity lookup by someone who is not an admin (who, when, which member,
 * the reason they gave): admins see these attempts in the audit log. The request's fields are
 * taken as sent: a member id that is not a positive whole number is recorded as none, a reason
 * is cut to 500 characters.
 */
export async function recordDeniedIdentityLookup(
  db: Db,
  attempt: { actorId: number; memberId: unknown; reason: unknown },
): Promise<number> {
  const { memberId } = attempt;
  const target = Number.isSafeInteger(memberId) && (memberId as number) > 0 ? memberId : null;
  const reason =
    typeof attempt.reason === 'string' ? attempt.reason.trim().slice(0, REASON_MAX_LENGTH) : '';
  return appendAuditEntry(db, {
    actorId: attempt.actorId,
    action: 'identity_lookup_denied',
    targetMemberId: target as number | null,
    reason: reason || null,
    detail: { outcome: 'denied' },
  });
}

/** The one call into the vault that reveals an identity (only after the audit entry). */
function revealMemberEmail(
  db: Db,
  vault: IdentitySource,
  memberId: number,
): Promise<string | null> {
  return vault.emailOf(db, memberId);
}
