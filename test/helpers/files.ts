import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temporary folder. */
export function tempDir(prefix = 'lenslab-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes files (name → content, strings written in the given encoding) into a new folder. */
export function writeFolder(
  files: Record<string, string | Buffer>,
  encoding: BufferEncoding = 'latin1',
): string {
  const dir = tempDir();
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, typeof content === 'string' ? Buffer.from(content, encoding) : content);
  }
  return dir;
}

export const ML100K_DIR = new URL('../../../shared/data/ml-100k', import.meta.url).pathname;
