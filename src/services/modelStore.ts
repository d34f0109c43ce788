/**
 * Published models in the database (migration 0015), where every app node finds them: `lenslab
 * train` and the console's train runs store the model file they publish, with a change-log note
 * (changeLog.ts) in the same transaction; each node then copies the newest model of each kind of
 * its own database into its models folder (a cache) and loads it (Recommender.loadNewest). Rows
 * are whole files: PostgreSQL's bytea and SQLite's blob hold up to 1 GB, far above lenslab's
 * models (tens of MB for ML-25M).
 */
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import type { Db } from '../db/connection.ts';
import { loadModel } from '../recsys/index.ts';
import { writeNote } from './changeLog.ts';
import { MODEL_EXTENSION } from './models.ts';

/**
 * Stores a published model file in the database (once: a name already stored is kept) and tells
 * every node. `node`: the change log's writer id. Throws for a model that records no database id
 * (trained from dataset files: never served).
 */
export async function storeModel(db: Db, path: string, node: string): Promise<void> {
  const bytes = readFileSync(path);
  const model = loadModel(bytes);
  const databaseId = model.metadata.databaseId;
  if (typeof databaseId !== 'string')
    throw new Error(`${path}: the model records no database id, so no server would serve it`);
  await db.kysely.transaction().execute(async (trx) => {
    await trx
      .insertInto('published_models')
      .values({
        name: basename(path, MODEL_EXTENSION),
        algorithm: model.algorithm,
        kind: model.kind,
        database_id: databaseId,
        bytes,
        created_at: Date.now(),
      })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    await writeNote(trx, node, { kind: 'model' });
  });
}

/**
 * Copies into `dir` the newest stored model of each kind trained on `databaseId` that `dir`
 * lacks (its modification time set to when it was stored, so the folder sorts like the
 * database); returns the paths written.
 */
export async function fetchNewestModels(db: Db, dir: string, databaseId: string) {
  const rows = await db.kysely
    .selectFrom('published_models')
    .select(['name', 'kind', 'created_at'])
    .where('database_id', '=', databaseId)
    .orderBy('created_at', 'desc')
    .execute();
  const newest = new Map<string, (typeof rows)[number]>();
  for (const row of rows) if (!newest.has(row.kind)) newest.set(row.kind, row);
  const written: string[] = [];
  for (const { name, created_at } of newest.values()) {
    const path = join(dir, `${name}${MODEL_EXTENSION}`);
    if (existsSync(path)) continue;
    const { bytes } = await db.kysely
      .selectFrom('published_models')
      .select('bytes')
      .where('name', '=', name)
      .executeTakeFirstOrThrow();
    mkdirSync(dir, { recursive: true });
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, bytes);
    const time = new Date(Number(created_at));
    utimesSync(temporary, time, time);
    renameSync(temporary, path);
    written.push(path);
  }
  return written;
}
