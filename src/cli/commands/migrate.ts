import type { Command } from 'commander';
import { migrateToLatest, openDatabase } from '../../db/connection.ts';
import { databaseOption } from '../database.ts';
import { action, report } from '../output.ts';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (options: { json?: boolean }, command: Command) => {
        const db = await openDatabase(databaseOption(command));
        try {
          const result = await migrateToLatest(db);
          const applied = (result.results ?? []).map((r) => r.migrationName);
          report(
            !!options.json,
            { database: db.location, applied },
            applied.length
              ? `applied ${applied.join(', ')} to ${db.location}`
              : `${db.location} is up to date`,
          );
        } finally {
          await db.close();
        }
      }),
    );
}
