/**
 * The worker side of a BackgroundJob (backgroundJobs.ts): imports the task's module, runs the
 * named export with the input, and posts progress, then the result or the error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { JobTask } from './backgroundJobs.ts';

const port = parentPort!;
const { module, exportName, input } = workerData.input as {
  module: string;
  exportName: string;
  input: unknown;
};

try {
  const task = (await import(module))[exportName] as JobTask<unknown, unknown>;
  if (typeof task !== 'function') throw new Error(`${module} has no task "${exportName}"`);
  const value = await task(input, (progress, phase) =>
    port.postMessage({ type: 'progress', progress, phase }),
  );
  port.postMessage({ type: 'result', value });
} catch (error) {
  port.postMessage({ type: 'error', message: (error as Error).message });
}
