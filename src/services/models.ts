/**
 * Published model files: `lenslab train` writes `<dir>/<algo>-<UTC timestamp>.lensmodel` (default
 * dir data/models) and the server loads the newest. The file is the recsys binary format
 * (src/recsys/serialize.ts); its metadata carries the algorithm, parameters (in the header), the
 * data snapshot time, the training set size, and the metrics measured before publishing.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel, type Model } from '../recsys/index.ts';

export const DEFAULT_MODELS_DIR = './data/models';
export const MODEL_EXTENSION = '.lensmodel';

/** What a published model file says about itself (model.metadata). */
export interface PublishedModelMetadata {
  /** ISO time the training data was read (the data snapshot). */
  snapshotTime: string;
  /** ISO time the model was trained. */
  trainedAt: string;
  /** Where the data came from: "database" or a dataset folder. */
  source: string;
  ratings: number;
  users: number;
  items: number;
  seed: number;
  /** Metrics measured on a held-out split before the final fit (e.g. rmse, mae, ndcg@10). */
  metrics: Record<string, number>;
  /** The protocol the metrics come from (e.g. "split90", "holdout20"). */
  metricsProtocol: string | null;
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
  writeFileSync(temporary, model.toBytes());
  renameSync(temporary, path);
  return path;
}

/** The newest `*.lensmodel` in `dir` by modification time (then name), or null when none. */
export function newestModelFile(
  dir = DEFAULT_MODELS_DIR,
): { path: string; mtimeMs: number } | null {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return null;
  }
  let best: { path: string; mtimeMs: number } | null = null;
  for (const name of names) {
    if (!name.endsWith(MODEL_EXTENSION)) continue;
    const path = join(dir, name);
    const mtimeMs = statSync(path).mtimeMs;
    if (!best || mtimeMs > best.mtimeMs || (mtimeMs === best.mtimeMs && path > best.path))
      best = { path, mtimeMs };
  }
  return best;
}

/** Reads a model file (throws ModelFileError for a file that is not a valid model). */
export function readModelFile(path: string): Model {
  return loadModel(readFileSync(path));
}
