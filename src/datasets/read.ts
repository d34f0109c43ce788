import { existsSync, statSync } from 'node:fs';
import type { Dataset } from './dataset.ts';
import { DatasetError } from './errors.ts';
import { readMl100k } from './ml100k.ts';
import { readMl1m } from './ml1m.ts';
import { readMlLatest } from './mlLatest.ts';
import { readNetflix } from './netflix.ts';

export const DATASET_FORMATS = ['ml-100k', 'ml-1m', 'ml-latest', 'netflix'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

export function isDatasetFormat(value: string): value is DatasetFormat {
  return (DATASET_FORMATS as readonly string[]).includes(value);
}

const readers: Record<DatasetFormat, (dir: string) => Promise<Dataset>> = {
  'ml-100k': readMl100k,
  'ml-1m': readMl1m,
  'ml-latest': readMlLatest,
  netflix: readNetflix,
};

/** Reads a dataset folder in one of the supported formats. */
export async function readDataset(path: string, format: string): Promise<Dataset> {
  if (!isDatasetFormat(format)) {
    throw new DatasetError(
      path,
      0,
      `unknown format "${format}" (expected one of ${DATASET_FORMATS.join(', ')})`,
    );
  }
  if (!existsSync(path) || !statSync(path).isDirectory()) {
    throw new DatasetError(path, 0, 'folder not found');
  }
  return readers[format](path);
}
