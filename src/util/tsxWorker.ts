/**
 * Starts a worker thread on one of lenslab's modules, named by its source URL
 * (`new URL('./x.ts', import.meta.url)`), from the compiled build and from the sources alike.
 *
 * Compiled (dist/, see tsconfig.build.json), the worker simply runs the emitted `x.js`. From the
 * sources under tsx, a worker started with `execArgv: []` has no tsx hooks, so it starts from a
 * few lines of plain JavaScript that register tsx's ESM API in the worker itself and then import
 * the entry. The caller must not block waiting on such a worker (the loader's messages go
 * through the main thread; src/recsys/parallel.ts avoids the loader for that reason).
 */
import { Worker } from 'node:worker_threads';

/** True when this module runs compiled (dist/*.js) rather than from src/*.ts under tsx. */
const COMPILED = import.meta.url.endsWith('.js');

const BOOTSTRAP = `
  const { workerData } = require('node:worker_threads');
  import(workerData.tsx)
    .then(({ register }) => { register(); return import(workerData.entry); });
`;

/** The module a source URL (`x.ts`) stands for in this build: `x.js` when compiled. */
export function runnableUrl(source: URL): URL {
  return COMPILED ? new URL(source.href.replace(/\.ts$/, '.js')) : source;
}

/** A worker running `entry` (a module's source URL); it reads `workerData.input`. */
export function startTsxWorker(entry: URL, input: unknown): Worker {
  if (COMPILED) return new Worker(runnableUrl(entry), { workerData: { input } });
  return new Worker(BOOTSTRAP, {
    eval: true,
    execArgv: [],
    workerData: { tsx: import.meta.resolve('tsx/esm/api'), entry: entry.href, input },
  });
}

/**
 * The first answer of a worker that posts `{ type: 'result', value }` or `{ type: 'error',
 * message }`; rejects when it fails or stops first. Never an unhandled rejection: a caller that
 * has not awaited it yet (it awaits later) gets the rejection then.
 */
export function workerResult<T>(worker: Worker, what: string): Promise<T> {
  const result = new Promise<T>((resolve, reject) => {
    worker.once('message', (message: { type: string; value?: T; message?: string }) => {
      if (message.type === 'result') resolve(message.value as T);
      else reject(new Error(`${what}: ${message.message}`));
    });
    worker.once('error', reject);
    worker.once('exit', (code) =>
      reject(new Error(`${what}: the worker stopped (exit code ${code}) before it answered`)),
    );
  });
  result.catch(() => undefined);
  return result;
}
