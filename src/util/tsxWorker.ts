/**
 * Starts a worker thread on a TypeScript module. Under Node 20 a worker does not get the tsx
 * hooks the main thread registered with `--import tsx`, so the worker starts from a few lines of
 * plain JavaScript (`execArgv: []`) that register tsx's ESM API in the worker itself and then
 * import the entry. The caller must not block waiting on the worker (the loader's messages go
 * through the main thread; src/recsys/parallel.ts avoids the loader for that reason).
 */
import { Worker } from 'node:worker_threads';

const TSX_API = import.meta.resolve('tsx/esm/api');
const BOOTSTRAP = `
  const { workerData } = require('node:worker_threads');
  import(workerData.tsx)
    .then(({ register }) => { register(); return import(workerData.entry); });
`;

/** A worker running `entry` (a module URL); it reads `workerData.input`. */
export function startTsxWorker(entry: URL, input: unknown): Worker {
  return new Worker(BOOTSTRAP, {
    eval: true,
    execArgv: [],
    workerData: { tsx: TSX_API, entry: entry.href, input },
  });
}
