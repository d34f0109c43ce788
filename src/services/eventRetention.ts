/**
 * Retention and deletion of events: page-request rows older than the configured age are purged
 * (`schedulePagePurge` runs it periodically); a member's events leave with their account.
 */
import type { Db } from '../db/connection.ts';

export const DEFAULT_PAGE_RETENTION_DAYS = 90;
const DAY_MS = 86_400_000;

/** How long page-request rows are kept: LENSLAB_PAGE_EVENTS_RETENTION_DAYS, default 90. */
export function pageRetentionDays(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.LENSLAB_PAGE_EVENTS_RETENTION_DAYS;
  if (value === undefined || value === '') return DEFAULT_PAGE_RETENTION_DAYS;
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) <= 0) {
    throw new RangeError(
      `LENSLAB_PAGE_EVENTS_RETENTION_DAYS must be a positive number of days, got "${value}"`,
    );
  }
  return Number(value);
}

/** Deletes page-request rows older than `olderThanDays`; resolves to the rows deleted. */
export async function purgePageEvents(
  db: Db,
  olderThanDays: number,
  now: number = Date.now(),
): Promise<number> {
  if (!(olderThanDays > 0))
    throw new RangeError(`the retention age must be positive, got ${olderThanDays}`);
  const cutoff = Math.floor(now - olderThanDays * DAY_MS);
  const result = await db.kysely
    .deleteFrom('events')
    .where('kind', '=', 'page')
    .where('occurred_at_ms', '<', cutoff)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export interface PurgeSchedule {
  stop(): void;
}

/**
 * Runs `purgePageEvents` now and then every `intervalMs` (default 6 h) on an unref'd timer
 * (it never keeps the process alive). Results go to onPurged, failures to onError.
 */
export function schedulePagePurge(
  db: Db,
  options: {
    retentionDays?: number;
    intervalMs?: number;
    onPurged?: (rows: number) => void;
    onError?: (error: unknown) => void;
  } = {},
): PurgeSchedule {
  const retentionDays = options.retentionDays ?? pageRetentionDays();
  const onError = options.onError ?? ((error: unknown) => console.error(error));
  let running = false;
  const run = () => {
    if (running) return;
    running = true;
    purgePageEvents(db, retentionDays)
      .then((rows) => options.onPurged?.(rows))
      .catch(onError)
      .finally(() => {
        running = false;
      });
  };
  const timer = setInterval(run, options.intervalMs ?? 6 * 3_600_000);
  timer.unref();
  run();
  return { stop: () => clearInterval(timer) };
}

/** Deletes every stored event of a member (account deletion); resolves to the rows deleted. */
export async function deleteMemberEvents(db: Db, memberId: number): Promise<number> {
  const result = await db.kysely
    .deleteFrom('events')
    .where('user_id', '=', memberId)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
