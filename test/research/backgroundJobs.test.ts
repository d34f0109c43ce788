import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { threadId } from 'node:worker_threads';
import { generateSynthetic } from '../../src/datasets/synthetic.ts';
import { fromWireDataset, toWireDataset } from '../../src/datasets/dataset.ts';
import { BackgroundJob, JobCancelledError } from '../../src/services/backgroundJobs.ts';

const TASKS = new URL('./jobTasks.ts', import.meta.url);

describe('background jobs (worker threads)', () => {
  test('a job computes on another thread: its progress reaches the caller while it is busy', async () => {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    let reportedWhileBusy!: () => void;
    const reported = new Promise<void>((resolve) => (reportedWhileBusy = resolve));
    const phases: string[] = [];
    const job = new BackgroundJob<{ value: number; threadId: number }>(
      TASKS,
      'waitForCaller',
      { flag: flag.buffer },
      (progress, phase) => {
        phases.push(`${progress} ${phase}`);
        reportedWhileBusy();
      },
    );
    // The worker blocks until this thread answers: had the task run here, this would never
    // resolve. This thread's timers keep running meanwhile.
    await reported;
    await new Promise((resolve) => setTimeout(resolve, 10));
    Atomics.store(flag, 0, 42);
    Atomics.notify(flag, 0);
    const result = await job.result;
    assert.equal(result.value, 42);
    assert.notEqual(result.threadId, threadId);
    assert.deepEqual(phases, ['0.5 waiting for the caller']);
  });

  test('cancel ends the thread; the result rejects with JobCancelledError', async () => {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const job = new BackgroundJob(TASKS, 'waitForCaller', { flag: flag.buffer }, () => started());
    await running;
    await job.cancel();
    await assert.rejects(job.result, JobCancelledError);
  });

  test("a task's error rejects the result with its message; an unknown task is an error", async () => {
    await assert.rejects(new BackgroundJob(TASKS, 'failOnPurpose', null).result, {
      message: 'this task fails on purpose',
    });
    await assert.rejects(
      new BackgroundJob(TASKS, 'noSuchTask', null).result,
      /no task "noSuchTask"/,
    );
  });

  test('a dataset crosses to the worker and back intact', async () => {
    const dataset = generateSynthetic({ users: 30, movies: 60, ratings: 900, seed: 3 });
    const wire = toWireDataset(dataset);
    const summary = await new BackgroundJob<{
      sum: number;
      users: number;
      items: number;
      firstUser: number;
    }>(TASKS, 'summarizeDataset', { dataset: wire }).result;
    let sum = 0;
    for (let r = 0; r < dataset.ratings.length; r++) sum += dataset.ratings.rating[r];
    assert.equal(summary.sum, sum);
    assert.equal(summary.users, dataset.ratings.userIds.size);
    assert.equal(summary.items, dataset.ratings.itemIds.size);
    assert.equal(summary.firstUser, dataset.ratings.userIds.ids[dataset.ratings.userIndex[0]]);
    const back = fromWireDataset(structuredClone(wire));
    assert.equal(back.ratings.userIds.indexOf(dataset.ratings.userIds.ids[5]), 5);
    assert.deepEqual(back.movies, dataset.movies);
    assert.deepEqual(back.scale, dataset.scale);
  });
});
