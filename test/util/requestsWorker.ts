/** A worker for workerRequests.test.ts: answers each request after the delay it asks for. */
import { workerData } from 'node:worker_threads';
import { serveRequests } from '../../src/util/workerRequests.ts';

const { offset } = workerData.input as { offset: number };

serveRequests((request: { value: number; busyMs?: number; fail?: boolean }, progress) => {
  if (request.fail) throw new Error(`cannot take ${request.value}`);
  const end = Date.now() + (request.busyMs ?? 0);
  while (Date.now() < end) progress(0.5);
  progress(1);
  return request.value + offset;
});
