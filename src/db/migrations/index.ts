import type { Migration } from 'kysely';
import * as initial from './0001_initial.ts';
import * as web from './0002_web.ts';
import * as research from './0003_research.ts';

/**
 * Every migration, in order. Add a new file `NNNN_name.ts` and list it here; never edit one that
 * has shipped. The same migrations serve SQLite and PostgreSQL.
 */
export const migrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_web': web,
  '0003_research': research,
};
