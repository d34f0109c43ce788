/**
 * Published model files: `lenslab train` writes `<dir>/<algo>-<UTC timestamp>.lensmodel` (default
 * dir data/models) and the server loads the newest. The file is the recsys binary format
 * (src/recsys/serialize.ts); its metadata carries the algorithm, parameters (in the header), the
 * data snapshot time, the training set size, and the metrics measured before publishing. It also
 * records the id of the database it was trained on: a server serves only its own database's
 * models (see Recommender.loadNewest), since movie ids alone cannot tell two catalogs apart.
 */
import { mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../db/connection.ts';
import { loadModel, type Model } from '../recsys/index.ts';
import { readWholeFile, writeWholeFile } from '../util/largeFiles.ts';

export const DEFAULT_MODELS_DIR = './data/models';
export const MODEL_EXTENSION = '.lensmodel';

/** Where a model's training data came from. */
export interface ModelOrigin {
  /** The id of the database it was trained on (0006_database_id); null for dataset files. */
  databaseId: string | null;
  /** For people: "database <file or URL>", or "<format> files <folder>" for dataset files. */
  source: string;
}

/** What a published model file says about itself (model.metadata). */
export interface PublishedModelMetadata extends ModelOrigin {
  /** ISO time the training data was read (the data snapshot). */
  snapshotTime: string;
  /** ISO time the model was trained. */
  trainedAt: string;
  ratings: number;
  users: number;
  items: number;
  seed: number;
  /** Metrics measured on a held-out split before the final fit (e.g. rmse, mae, ndcg@10). */
  metrics: Record<string, number>;
  /** The protocol the metrics come from (e.g. "split90", "holdout20"). */
  metricsProtocol: string | null;
}

/** The database's id, drawn once when it was created (migration 0006_database_id). */
export async function databaseIdOf(db: Db): Promise<string> {
  const row = await db.kysely
    .selectFrom('database_identity')
    .select('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The origin of a model trained on this database's ratings. */
export async function databaseOrigin(db: Db): Promise<ModelOrigin> {
  return { databaseId: await databaseIdOf(db), source: `database ${db.location}` };
}

/** "2026-11-25T01:02:03.456Z" → "20261125T010203Z" (sorts like time, safe in file names). */
export function compactTimestamp(time: Date): string {
  return time
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** The file name a model trained at `time` is published under. */
export function modelFileName(algorithm: string, time: Date): string {
  return `${algorithm}-${compactTimestamp(time)}${MODEL_EXTENSION}`;
}

/**
 * Writes the model (with its metadata set) into `dir`, atomically (temporary file, then rename),
 * and returns the path. The directory is created when missing.
 */
export function publishModel(
  model: Model,
  metadata: PublishedModelMetadata,
  dir = DEFAULT_MODELS_DIR,
  now = new Date(),
): string {
  mkdirSync(dir, { recursive: true });
  model.metadata = { ...model.metadata, ...metadata };
  const path = join(dir, modelFileName(model.algorithm, now));
  const temporary = `${path}.${process.pid}.tmp`;
  writeWholeFile(temporary, model.toBytes());
  renameSync(temporary, path);
  return path;
}

/** The `*.lensmodel` files in `dir`, newest first by modification time (then name); [] when none. */
export function modelFilesNewestFirst(dir = DEFAULT_MODELS_DIR): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.endsWith(MODEL_EXTENSION))
    .map((name) => {
      const path = join(dir, name);
      return { path, mtimeMs: statSync(path).mtimeMs };
    })
    .sort((a, b) => b.mtimeMs - a.mtimeMs || (a.path < b.path ? 1 : -1))
    .map((file) => file.path);
}

/** Reads a model file (throws ModelFileError for a file that is not a valid model). */
export function readModelFile(path: string): Model {
  return loadModel(readWholeFile(path));
}
