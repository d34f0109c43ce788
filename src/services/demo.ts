import { generateSynthetic } from '../datasets/synthetic.ts';
import type { Db } from '../db/connection.ts';
import { countRows, importDataset, type ImportSummary } from './datasets.ts';

/** The demo catalog a fresh lenslab starts with: deterministic, synthetic, licence-free. */
export const DEMO_CATALOG = { users: 400, movies: 3000, ratings: 40_000, seed: 20261125 };

/** Fills an empty database with the synthetic demo catalog; returns what it added, or null. */
export async function seedDemoCatalogIfEmpty(db: Db): Promise<ImportSummary | null> {
  const counts = await countRows(db);
  if (counts.movies > 0 || counts.ratings > 0) return null;
  return importDataset(db, generateSynthetic(DEMO_CATALOG), 'empty');
}
