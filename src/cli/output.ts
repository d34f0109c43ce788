import cliProgress from 'cli-progress';
import { DatasetError } from '../datasets/errors.ts';
import { PolicyError } from '../privacy/policy.ts';
import { DatabaseNotEmptyError } from '../services/datasets.ts';
import { ServiceError } from '../services/errors.ts';

/** An error the user caused (bad input or options): reported in one line, exit code 1. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const USER_ERRORS = [
  UsageError,
  DatasetError,
  PolicyError,
  DatabaseNotEmptyError,
  ServiceError,
  RangeError,
];

/** Runs a command action; user errors become one line on stderr and a non-zero exit. */
export function action<A extends unknown[]>(
  run: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await run(...args);
    } catch (error) {
      if (USER_ERRORS.some((kind) => error instanceof kind)) {
        process.stderr.write(`lenslab: ${(error as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
      throw error;
    }
  };
}

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

/** A progress bar on a terminal; silent when output is piped or --json was asked for. */
export function progress(label: string, quiet = false): Progress {
  if (quiet || !process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} | {rate}/s | {duration_formatted}, ETA {eta_formatted}`,
      stream: process.stderr,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let startedAt = 0;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, 0, { rate: 0 });
        started = true;
        startedAt = performance.now();
      }
      bar.setTotal(total);
      const seconds = (performance.now() - startedAt) / 1000;
      const rate = seconds > 0 ? Math.round(done / seconds) : 0;
      bar.update(done, { rate: rate.toLocaleString('en-US') });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** Prints a result: JSON when asked, else human lines. */
export function report(json: boolean, value: unknown, human: string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human}\n`);
}

export function parseWholeNumber(name: string, value: string, minimum = 0): number {
  if (!/^\d+$/.test(value) || Number(value) < minimum) {
    throw new UsageError(`${name} must be a whole number ≥ ${minimum}, got "${value}"`);
  }
  return Number(value);
}
