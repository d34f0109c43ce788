import type { Command } from 'commander';
import { migrateToLatest, openDatabase, type Db } from '../db/connection.ts';

/** The --db value of a command (its own, or the program's), else DATABASE_URL, else the default file. */
export function databaseOption(command: Command): string | undefined {
  return command.optsWithGlobals().db as string | undefined;
}

/** Opens the database named on the command line, brings it up to date, and closes it after `use`. */
export async function withDatabase<T>(command: Command, use: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDatabase(databaseOption(command));
  try {
    await migrateToLatest(db);
    return await use(db);
  } finally {
    await db.close();
  }
}
