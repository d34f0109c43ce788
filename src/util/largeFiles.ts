/**
 * Whole files however large: fs.readFileSync refuses files over 2 GiB and fs.writeFileSync
 * buffers over 2 GiB (a model of the Netflix Prize's size can pass that), so both go in parts.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';

/** Bytes per read or write call (each is limited to 2 GiB − 1). */
const PART_BYTES = 256 * 1024 * 1024;

export function readWholeFile(path: string, partBytes = PART_BYTES): Buffer {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const bytes = Buffer.allocUnsafe(size);
    let done = 0;
    while (done < size) {
      const read = readSync(fd, bytes, done, Math.min(partBytes, size - done), done);
      if (read === 0) throw new Error(`${path}: the file ended at byte ${done} of ${size}`);
      done += read;
    }
    return bytes;
  } finally {
    closeSync(fd);
  }
}

/** Writes `bytes` as the whole content of `path` (created or truncated). */
export function writeWholeFile(path: string, bytes: Uint8Array, partBytes = PART_BYTES): void {
  const fd = openSync(path, 'w');
  try {
    for (let done = 0; done < bytes.length;) {
      done += writeSync(fd, bytes, done, Math.min(partBytes, bytes.length - done), done);
    }
  } finally {
    closeSync(fd);
  }
}
