/**
 * Many requests to one worker thread: a thread started once with its large input (a model being
 * fitted, the truth an audit draws from) answers every request of a pipeline run. The caller
 * sends `{ id, request }`; the worker (`serveRequests`) answers each in turn with its result or
 * error, after any progress messages. The worker runs a module through startTsxWorker.
 */
import { parentPort, type Worker } from 'node:worker_threads';
import { startTsxWorker } from './tsxWorker.ts';

type Answer =
  | { id: number; type: 'result'; value: unknown }
  | { id: number; type: 'error'; message: string }
  | { id: number; type: 'progress'; fraction: number };

interface Waiting {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress?: (fraction: number) => void;
}

export class WorkerRequests {
  private readonly worker: Worker;
  private nextId = 0;
  private readonly waiting = new Map<number, Waiting>();

  constructor(
    entry: URL,
    input: unknown,
    private readonly what: string,
  ) {
    this.worker = startTsxWorker(entry, input);
    this.worker.on('message', (answer: Answer) => {
      const waiting = this.waiting.get(answer.id);
      if (!waiting) return;
      if (answer.type === 'progress') {
        waiting.onProgress?.(answer.fraction);
        return;
      }
      this.waiting.delete(answer.id);
      if (answer.type === 'result') waiting.resolve(answer.value);
      else waiting.reject(new Error(`${this.what}: ${answer.message}`));
    });
    this.worker.on('error', (error) => this.rejectAll(error));
    this.worker.on('exit', (code) =>
      this.rejectAll(new Error(`${this.what}: the worker stopped (exit code ${code})`)),
    );
  }

  /**
   * The worker's answer to `request`. Never an unhandled rejection: a caller that awaits it
   * later gets the rejection then.
   */
  request<T>(request: unknown, onProgress?: (fraction: number) => void): Promise<T> {
    const id = this.nextId++;
    const answer = new Promise<T>((resolve, reject) =>
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject, onProgress }),
    );
    answer.catch(() => undefined);
    this.worker.postMessage({ id, request });
    return answer;
  }

  /** Ends the worker; requests not answered yet reject. */
  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  private rejectAll(error: Error): void {
    for (const waiting of this.waiting.values()) waiting.reject(error);
    this.waiting.clear();
  }
}

/** The worker's side: answers each request with `handle(request, progress)`, one at a time. */
export function serveRequests<Request>(
  handle: (request: Request, progress: (fraction: number) => void) => unknown,
): void {
  const port = parentPort!;
  port.on('message', ({ id, request }: { id: number; request: Request }) => {
    try {
      const value = handle(request, (fraction) =>
        port.postMessage({ id, type: 'progress', fraction }),
      );
      port.postMessage({ id, type: 'result', value });
    } catch (error) {
      port.postMessage({ id, type: 'error', message: (error as Error).message });
    }
  });
}
