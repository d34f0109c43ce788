import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkerRequests } from '../../src/util/workerRequests.ts';

const ENTRY = new URL('./requestsWorker.ts', import.meta.url);

test('one worker answers many requests, each with its own answer and progress', async () => {
  const worker = new WorkerRequests(ENTRY, { offset: 100 }, 'adder');
  try {
    const progress: number[][] = [[], [], []];
    const answers = [1, 2, 3].map((value, k) =>
      worker.request<number>({ value, busyMs: 20 }, (fraction) => progress[k].push(fraction)),
    );
    assert.deepEqual(await Promise.all(answers), [101, 102, 103]);
    for (const reports of progress) assert.equal(reports.at(-1), 1);
  } finally {
    await worker.terminate();
  }
});

test("a failing request rejects with the worker's message, and the worker goes on", async () => {
  const worker = new WorkerRequests(ENTRY, { offset: 0 }, 'adder');
  try {
    const failing = worker.request<number>({ value: 7, fail: true });
    const next = worker.request<number>({ value: 8 });
    await assert.rejects(failing, /^Error: adder: cannot take 7$/);
    assert.equal(await next, 8);
  } finally {
    await worker.terminate();
  }
});

test('ending the worker rejects what it has not answered (never an unhandled rejection)', async () => {
  const worker = new WorkerRequests(ENTRY, { offset: 0 }, 'adder');
  const slow = worker.request<number>({ value: 1, busyMs: 5000 });
  const queued = worker.request<number>({ value: 2 });
  await new Promise((resolve) => setTimeout(resolve, 200));
  const started = Date.now();
  await worker.terminate();
  await assert.rejects(slow, /adder: the worker stopped/);
  await assert.rejects(queued, /adder: the worker stopped/);
  assert.ok(Date.now() - started < 4000, 'terminate does not wait for the busy request');
});
