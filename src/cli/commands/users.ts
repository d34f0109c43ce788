import type { Command } from 'commander';
import { readAuditLog } from '../../services/accessAudit.ts';
import {
  GRANTABLE_ROLES,
  grantRole,
  listRoles,
  revokeRole,
  type GrantableRole,
} from '../../services/roles.ts';
import { withDatabase } from '../database.ts';
import { UsageError, action, parseWholeNumber, report } from '../output.ts';

function checkRole(role: string): GrantableRole {
  if (!(GRANTABLE_ROLES as readonly string[]).includes(role)) {
    throw new UsageError(`--role: must be one of ${GRANTABLE_ROLES.join(', ')}, got "${role}"`);
  }
  return role as GrantableRole;
}

export function registerUsers(program: Command): void {
  const users = program.command('users');

  const changes = {
    grant: {
      description: 'give a member the researcher or admin role (written to the access-audit log)',
      change: grantRole,
      said: (id: number, role: string, changed: boolean) =>
        changed ? `member ${id} is now ${role}` : `member ${id} already was ${role}`,
    },
    revoke: {
      description: 'take a role away from a member (written to the access-audit log)',
      change: revokeRole,
      said: (id: number, role: string, changed: boolean) =>
        changed ? `member ${id} is no longer ${role}` : `member ${id} was not ${role}`,
    },
  };
  for (const [name, { description, change, said }] of Object.entries(changes)) {
    users
      .command(name)
      .description(description)
      .requiredOption('--role <role>', GRANTABLE_ROLES.join(' or '))
      .argument('<id>', "the member's numeric id")
      .option('--json', 'print a JSON summary')
      .action(
        action(async (id: string, options: { role: string; json?: boolean }, command: Command) => {
          const role = checkRole(options.role);
          const memberId = parseWholeNumber('ID', id, 1);
          const changed = await withDatabase(command, (db) => change(db, memberId, role));
          report(!!options.json, { memberId, role, changed }, said(memberId, role, changed));
        }),
      );
  }

  users
    .command('list-roles')
    .description('every researcher and admin')
    .option('--json', 'print JSON')
    .action(
      action(async (options: { json?: boolean }, command: Command) => {
        const grants = await withDatabase(command, (db) => listRoles(db));
        const lines = grants.map(
          (grant) =>
            `${String(grant.memberId).padStart(10)}  ${grant.role.padEnd(10)}  since ${grant.grantedAt.toISOString()}` +
            (grant.grantedBy === null ? '' : ` (by ${grant.grantedBy})`),
        );
        report(
          !!options.json,
          grants,
          lines.length ? lines.join('\n') : 'no researchers or admins yet',
        );
      }),
    );

  users
    .command('audit-log')
    .description('the access-audit log, newest first (identity lookups, role changes, exports)')
    .option('--limit <n>', 'entries to show', '50')
    .option('--json', 'print JSON')
    .action(
      action(async (options: { limit: string; json?: boolean }, command: Command) => {
        const limit = parseWholeNumber('--limit', options.limit, 1);
        const entries = await withDatabase(command, (db) => readAuditLog(db, null, { limit }));
        const lines = entries.map(
          (entry) =>
            `${entry.occurredAt.toISOString()}  ${entry.action.padEnd(22)}  by ${entry.actorId ?? 'command line'}` +
            (entry.targetMemberId === null ? '' : `  member ${entry.targetMemberId}`) +
            (entry.reason ? `  reason: ${entry.reason}` : '') +
            (entry.detail ? `  ${JSON.stringify(entry.detail)}` : ''),
        );
        report(
          !!options.json,
          entries,
          lines.length ? lines.join('\n') : 'the access-audit log is empty',
        );
      }),
    );
}
