import { basename } from 'node:path';

/** A problem with an input file, reported as `file:line: reason` (the line is omitted when 0). */
export class DatasetError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(line > 0 ? `${basename(file)}:${line}: ${reason}` : `${basename(file)}: ${reason}`);
    this.name = 'DatasetError';
  }
}
