import { createWriteStream, existsSync, renameSync, rmSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import { auditedEventExport, eventRange } from '../../services/eventExport.ts';
import { countEvents, pageRetentionDays, purgePageEvents } from '../../services/events.ts';
import { withDatabase } from '../database.ts';
import { UsageError, action, progress, report } from '../output.ts';

interface ExportOptions {
  format: string;
  out: string;
  since?: string;
  until?: string;
  overwrite?: boolean;
  json?: boolean;
}

export function registerEvents(program: Command): void {
  const events = program.command('events');

  events
    .command('export')
    .description(
      'write the event log as CSV or JSON Lines (an empty range gives a header-only CSV)',
    )
    .requiredOption('--format <format>', 'csv or jsonl')
    .requiredOption('--out <file>', 'file to write ("-" for standard output)')
    .option('--since <date>', 'events from this time on (2026-01-31 means midnight UTC)')
    .option('--until <date>', 'events before this time')
    .option('--overwrite', 'replace an existing file')
    .option('--json', 'print a JSON summary')
    .action(
      action(async (options: ExportOptions, command: Command) => {
        const toStdout = options.out === '-';
        if (!toStdout && existsSync(options.out) && !options.overwrite) {
          throw new UsageError(
            `--out ${options.out} already exists (add --overwrite to replace it)`,
          );
        }
        const summary = await withDatabase(command, async (db) => {
          const exported = await auditedEventExport(db, {
            ...options,
            actorId: null,
            via: 'command line',
            names: { format: '--format', since: '--since', until: '--until' },
          });
          const counts = await countEvents(db, exported.range);
          const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
          const bar = progress('export', !!options.json || toStdout);
          // Write beside the target and rename at the end: a failed export leaves nothing behind.
          const partial = `${options.out}.partial-${process.pid}`;
          const out = toStdout ? process.stdout : createWriteStream(partial);
          let rows: number;
          try {
            rows = await exported.run(out, (done) => bar.update(done, total));
            if (!toStdout) {
              out.end();
              await finished(out);
              renameSync(partial, options.out);
            }
          } catch (error) {
            if (!toStdout) rmSync(partial, { force: true });
            throw error;
          } finally {
            bar.stop();
          }
          const { format } = exported;
          return {
            format,
            rows,
            out: options.out,
            since: options.since ?? null,
            until: options.until ?? null,
          };
        });
        if (toStdout) {
          if (options.json) process.stderr.write(`${JSON.stringify(summary)}\n`);
          return;
        }
        report(
          !!options.json,
          summary,
          `wrote ${summary.rows} events to ${summary.out} (${summary.format})`,
        );
      }),
    );

  events
    .command('purge')
    .description(
      'delete page-request rows older than the retention age (LENSLAB_PAGE_EVENTS_RETENTION_DAYS, default 90)',
    )
    .option('--older-than <days>', 'retention age in days (default: the configured one)')
    .option('--json', 'print a JSON summary')
    .action(
      action(async (options: { olderThan?: string; json?: boolean }, command: Command) => {
        let days: number;
        if (options.olderThan !== undefined) {
          if (!/^\d+(\.\d+)?$/.test(options.olderThan) || Number(options.olderThan) <= 0) {
            throw new UsageError(
              `--older-than must be a positive number of days, got "${options.olderThan}"`,
            );
          }
          days = Number(options.olderThan);
        } else {
          days = pageRetentionDays();
        }
        const deleted = await withDatabase(command, (db) => purgePageEvents(db, days));
        report(
          !!options.json,
          { olderThanDays: days, deleted },
          `deleted ${deleted} page-request events older than ${days} days`,
        );
      }),
    );

  events
    .command('stats')
    .description('events per kind')
    .option('--since <date>', 'events from this time on')
    .option('--until <date>', 'events before this time')
    .option('--json', 'print JSON')
    .action(
      action(
        async (options: { since?: string; until?: string; json?: boolean }, command: Command) => {
          const range = eventRange(options, { since: '--since', until: '--until' });
          const counts = await withDatabase(command, (db) => countEvents(db, range));
          const lines = Object.entries(counts).map(([kind, n]) => `${kind.padEnd(22)} ${n}`);
          report(!!options.json, counts, lines.join('\n'));
        },
      ),
    );
}
