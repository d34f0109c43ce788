import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Command } from 'commander';
import { registerEvents } from '../../src/cli/commands/events.ts';
import { registerUsers } from '../../src/cli/commands/users.ts';
import { openDatabase, migrateToLatest, type Db } from '../../src/db/connection.ts';
import { CSV_COLUMNS, EventLog } from '../../src/services/events.ts';
import { hasRole } from '../../src/services/roles.ts';
import { tempDir } from '../helpers/files.ts';
import { addMembers } from './helpers.ts';

/** Runs `lenslab <args>` in-process; returns stdout, stderr and the exit code. */
async function lenslab(database: string, ...args: string[]) {
  const program = new Command('lenslab').option('--db <target>').exitOverride();
  registerEvents(program);
  registerUsers(program);
  let stdout = '';
  let stderr = '';
  const writeOut = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  // The command writes strings; the test runner's own reports (Buffers) pass through.
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) =>
    typeof chunk === 'string'
      ? ((stdout += chunk), true)
      : writeOut(chunk, ...rest)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) =>
    typeof chunk === 'string'
      ? ((stderr += chunk), true)
      : writeErr(chunk, ...rest)) as typeof process.stderr.write;
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'lenslab', '--db', database, ...args]);
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
  }
  const code = process.exitCode ?? 0;
  process.exitCode = undefined;
  return { stdout, stderr, code };
}

describe('lenslab events and lenslab users', () => {
  const dir = tempDir('lenslab-research-cli-');
  const database = join(dir, 'cli.db');
  let db: Db;
  before(async () => {
    db = await openDatabase(database);
    await migrateToLatest(db);
    await addMembers(db, [7, 8]);
    const log = new EventLog(db, { flushIntervalMs: 3_600_000 });
    log.record({ kind: 'login', memberId: 7, at: Date.UTC(2026, 0, 5) });
    log.record({
      kind: 'search',
      memberId: 7,
      query: 'heat',
      resultCount: 3,
      at: Date.UTC(2026, 0, 6),
    });
    log.record({ kind: 'page', route: '/explore', at: Date.UTC(2025, 0, 1) });
    await log.close();
  });
  after(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const exportCommand = (...args: string[]) => lenslab(database, 'events', 'export', ...args);

  test('events export --format csv with --since', async () => {
    const out = join(dir, 'events.csv');
    const args = ['--format', 'csv', '--out', out, '--since', '2026-01-06', '--json'];
    const result = await exportCommand(...args);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).rows, 1);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    assert.equal(lines[0], CSV_COLUMNS.join(','));
    assert.equal(lines.length, 2);
    assert.match(lines[1], /,search,7,,/);
  });

  test('events export --format jsonl with --until; an empty range gives a header-only CSV', async () => {
    const jsonl = join(dir, 'events.jsonl');
    const toJsonl = await exportCommand(
      '--format',
      'jsonl',
      '--out',
      jsonl,
      '--until',
      '2026-01-01',
    );
    assert.equal(toJsonl.code, 0, toJsonl.stderr);
    assert.deepEqual(
      readFileSync(jsonl, 'utf8')
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line).kind),
      ['page'],
    );
    const empty = join(dir, 'empty.csv');
    const toCsv = await exportCommand('--format', 'csv', '--out', empty, '--since', '2030-01-01');
    assert.equal(toCsv.code, 0, toCsv.stderr);
    assert.equal(readFileSync(empty, 'utf8'), `${CSV_COLUMNS.join(',')}\n`);
  });

  test('bad options: one clear line, non-zero exit, nothing written', async () => {
    const out = join(dir, 'bad.csv');
    const cases: Array<[string[], RegExp]> = [
      [
        ['--format', 'xml', '--out', out],
        /^lenslab: --format: unknown format "xml" \(expected csv or jsonl\)\n$/,
      ],
      [
        ['--format', 'csv', '--out', out, '--since', 'last week'],
        /^lenslab: --since: "last week" is not a date/,
      ],
      [
        ['--format', 'csv', '--out', out, '--since', '2026-02-01', '--until', '2026-01-01'],
        /^lenslab: --until \(2026-01-01\) must be after --since/,
      ],
      [['--format', 'csv', '--out', join(dir, 'events.csv')], /already exists \(add --overwrite/],
    ];
    for (const [args, message] of cases) {
      const result = await exportCommand(...args);
      assert.equal(result.code, 1, args.join(' '));
      assert.match(result.stderr, message);
    }
    assert.equal(existsSync(out), false);
    assert.deepEqual(
      readdirSync(dir).filter((name) => name.includes('.partial-')),
      [],
    );
  });

  test('events purge and events stats', async () => {
    const purge = await lenslab(database, 'events', 'purge', '--older-than', '30', '--json');
    assert.equal(purge.code, 0, purge.stderr);
    assert.equal(JSON.parse(purge.stdout).deleted, 1);
    const stats = await lenslab(database, 'events', 'stats', '--json');
    assert.deepEqual(JSON.parse(stats.stdout), {
      login: 1,
      login_failed: 0,
      page: 0,
      rating: 0,
      predictions_shown: 0,
      search: 1,
      recommendation_click: 0,
      recommender_chosen: 0,
    });
    assert.equal((await lenslab(database, 'events', 'purge', '--older-than', '-3')).code, 1);
  });

  test('users grant, list-roles, revoke, audit-log', async () => {
    const grant = await lenslab(database, 'users', 'grant', '--role', 'researcher', '7');
    assert.equal(grant.code, 0, grant.stderr);
    assert.equal(grant.stdout, 'member 7 is now researcher\n');
    assert.equal(await hasRole(db, 7, 'researcher'), true);
    const list = await lenslab(database, 'users', 'list-roles', '--json');
    assert.deepEqual(
      JSON.parse(list.stdout).map((g: { memberId: number; role: string }) => [g.memberId, g.role]),
      [[7, 'researcher']],
    );
    assert.equal((await lenslab(database, 'users', 'revoke', '--role', 'researcher', '7')).code, 0);
    assert.equal(await hasRole(db, 7, 'researcher'), false);
    const unknown = await lenslab(database, 'users', 'grant', '--role', 'admin', '999');
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr, 'lenslab: member 999 does not exist\n');
    const badRole = await lenslab(database, 'users', 'grant', '--role', 'owner', '7');
    assert.equal(
      badRole.stderr,
      'lenslab: --role: must be one of researcher, admin, got "owner"\n',
    );
    const log = await lenslab(database, 'users', 'audit-log', '--json');
    assert.deepEqual(
      JSON.parse(log.stdout).map((e: { action: string }) => e.action),
      ['role_revoked', 'role_granted', 'events_exported', 'events_exported', 'events_exported'],
    );
  });
});
