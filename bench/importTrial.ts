// One timed import (run in its own process so peak memory is this import's alone).
// Usage: node --import tsx bench/importTrial.ts <database target> <ml-1m folder>
import { openDatabase, migrateToLatest } from '../src/db/connection.ts';
import { readMl1m } from '../src/datasets/ml1m.ts';
import { importDataset } from '../src/services/datasets.ts';

const [target, folder] = process.argv.slice(2);
const started = performance.now();
const dataset = await readMl1m(folder);
const parsed = performance.now();
const db = await openDatabase(target);
await migrateToLatest(db);
await importDataset(db, dataset, target.startsWith('postgres') ? 'replace' : 'empty');
const done = performance.now();
await db.close();
console.log(
  JSON.stringify({
    ratings: dataset.ratings.length,
    parseSeconds: (parsed - started) / 1000,
    importSeconds: (done - parsed) / 1000,
    totalSeconds: (done - started) / 1000,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  }),
);
