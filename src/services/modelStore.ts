/**
 * Published models in the database (migrations 0015, 0016), where every app node finds them:
 * `lenslab train` and the console's train runs store the model file they publish, with a
 * change-log note (changeLog.ts) in the same transaction; each node then copies the newest model
 * of each kind of its own database into its models folder (a cache) and loads it
 * (Recommender.loadNewest). A file is stored in parts of MODEL_PART_BYTES: one value may hold
 * only about 500 MB in SQLite and 1 GB in PostgreSQL, and the default blend of 10M ratings
 * already takes hundreds of MB.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  renameSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import type { Db } from '../db/connection.ts';
import { parseModelFile } from '../recsys/index.ts';
import { writeNote } from './changeLog.ts';
import { MODEL_EXTENSION } from './models.ts';
import { readWholeFile } from '../util/largeFiles.ts';

/** Bytes per stored part of a model file. */
export const MODEL_PART_BYTES = 64 * 1024 * 1024;

/**
 * Stores a published model file in the database (once: a name already stored is kept) and tells
 * every node. `node`: the change log's writer id; `partBytes`: the size of the stored parts.
 * Throws for a model that records no database id (trained from dataset files: never served).
 */
export async function storeModel(
  db: Db,
  path: string,
  node: string,
  { partBytes = MODEL_PART_BYTES } = {},
): Promise<void> {
  const bytes = readWholeFile(path);
  // The file's header and arrays are checked; the model itself need not be built.
  const { core } = parseModelFile(bytes);
  const databaseId = core.metadata.databaseId;
  if (typeof databaseId !== 'string')
    throw new Error(`${path}: the model records no database id, so no server would serve it`);
  const name = basename(path, MODEL_EXTENSION);
  await db.kysely.transaction().execute(async (trx) => {
    const stored = await trx
      .insertInto('published_models')
      .values({
        name,
        algorithm: core.algorithm,
        kind: core.kind,
        database_id: databaseId,
        // The parts hold the bytes: this column of 0015 stays empty (see migration 0016).
        bytes: new Uint8Array(0),
        created_at: Date.now(),
      })
      .onConflict((oc) => oc.column('name').doNothing())
      .returning('name')
      .executeTakeFirst();
    if (stored) {
      for (let part = 0; part * partBytes < bytes.length; part++) {
        const from = part * partBytes;
        await trx
          .insertInto('published_model_parts')
          .values({ name, part, bytes: bytes.subarray(from, from + partBytes) })
          .execute();
      }
    }
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
    mkdirSync(dir, { recursive: true });
    const temporary = `${path}.${process.pid}.tmp`;
    // Part by part, so that a node never holds more than one part of the file's bytes.
    const file = openSync(temporary, 'w');
    try {
      for (let part = 0; ; part++) {
        const row = await db.kysely
          .selectFrom('published_model_parts')
          .select('bytes')
          .where('name', '=', name)
          .where('part', '=', part)
          .executeTakeFirst();
        if (!row) break;
        writeSync(file, row.bytes);
      }
    } finally {
      closeSync(file);
    }
    const time = new Date(Number(created_at));
    utimesSync(temporary, time, time);
    renameSync(temporary, path);
    written.push(path);
  }
  return written;
}
