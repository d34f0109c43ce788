/**
 * Runs a row kernel over many rows on worker_threads, synchronously from the caller's view.
 *
 * `fitAlgorithm` is synchronous, so the calling thread blocks on Atomics.wait while the workers
 * run. A worker started from a .ts file needs the tsx loader, whose hooks talk to the main thread,
 * which would deadlock while the main thread waits; so workers are started from source instead:
 * the kernel function (already plain JavaScript once tsx has loaded this module) is sent as text
 * and evaluated with no loader (`execArgv: []`). This works alike under `bin/lenslab`,
 * `npm test` and `node --import tsx`. A kernel must therefore be self-contained: no imports, no
 * closures over module variables; it reads everything from `data` (typed arrays over
 * SharedArrayBuffer, numbers).
 *
 * Rows are claimed in chunks from a shared counter by the workers and the calling thread alike;
 * each row's result depends only on the data, never on which thread computed it, so results are
 * identical for any number of threads.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** kernel(data, phase, from, to): computes rows from..to-1 of the given phase. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RowKernel = (data: any, phase: number, from: number, to: number) => void;

const GENERATION = 0;
const PHASE = 1;
const NEXT = 2;
const DONE = 3;
const ROWS = 4;
const CHUNK = 5;
const STOP = -1;

/** Default thread count: the machine's cores, at most 4. */
export function defaultThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

/** A typed array copied into shared memory (so workers see it without copying). */
export function shared<T extends Float64Array | Float32Array | Int32Array>(array: T): T {
  const constructor = array.constructor as {
    new (buffer: SharedArrayBuffer): T;
    BYTES_PER_ELEMENT: number;
  };
  const copy = new constructor(new SharedArrayBuffer(array.length * constructor.BYTES_PER_ELEMENT));
  copy.set(array);
  return copy;
}

export class RowPool {
  private readonly workers: Worker[] = [];
  private readonly control = new Int32Array(new SharedArrayBuffer(8 * 4));

  /**
   * @param kernel self-contained row kernel
   * @param data typed arrays over SharedArrayBuffer (results are written there) and numbers
   * @param threads total threads including the caller's; 1 runs everything inline
   */
  constructor(
    private readonly kernel: RowKernel,
    private readonly data: Record<string, unknown>,
    threads: number,
  ) {
    const source = `
      const { workerData } = require('node:worker_threads');
      var __name = (f) => f;
      const kernel = (${kernel.toString()});
      const control = new Int32Array(workerData.control);
      const data = workerData.data;
      let seen = 0;
      for (;;) {
        Atomics.wait(control, ${GENERATION}, seen);
        seen = Atomics.load(control, ${GENERATION});
        const phase = control[${PHASE}];
        if (phase === ${STOP}) break;
        const rows = control[${ROWS}];
        const chunk = control[${CHUNK}];
        for (;;) {
          const from = Atomics.add(control, ${NEXT}, chunk);
          if (from >= rows) break;
          kernel(data, phase, from, Math.min(rows, from + chunk));
        }
        Atomics.add(control, ${DONE}, 1);
        Atomics.notify(control, ${DONE});
      }`;
    for (let w = 0; w < threads - 1; w++) {
      const worker = new Worker(source, {
        eval: true,
        execArgv: [],
        workerData: { control: this.control.buffer, data },
      });
      worker.unref();
      this.workers.push(worker);
    }
  }

  /** Runs the kernel over rows 0..rows-1 of a phase on all threads; returns when all are done. */
  run(phase: number, rows: number, chunk = 32): void {
    const control = this.control;
    if (this.workers.length === 0) {
      for (let from = 0; from < rows; from += chunk)
        this.kernel(this.data, phase, from, Math.min(rows, from + chunk));
      return;
    }
    Atomics.store(control, PHASE, phase);
    Atomics.store(control, ROWS, rows);
    Atomics.store(control, CHUNK, chunk);
    Atomics.store(control, NEXT, 0);
    Atomics.store(control, DONE, 0);
    Atomics.add(control, GENERATION, 1);
    Atomics.notify(control, GENERATION);
    for (;;) {
      const from = Atomics.add(control, NEXT, chunk);
      if (from >= rows) break;
      this.kernel(this.data, phase, from, Math.min(rows, from + chunk));
    }
    for (;;) {
      const done = Atomics.load(control, DONE);
      if (done >= this.workers.length) break;
      Atomics.wait(control, DONE, done, 1000);
    }
  }

  /** Stops the workers. */
  close(): void {
    if (this.workers.length === 0) return;
    Atomics.store(this.control, PHASE, STOP);
    Atomics.add(this.control, GENERATION, 1);
    Atomics.notify(this.control, GENERATION);
    for (const worker of this.workers) void worker.terminate();
    this.workers.length = 0;
  }
}
