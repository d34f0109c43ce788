/** Whole files read and written in parts (fs refuses more than 2 GiB in one call). */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readWholeFile, writeWholeFile } from '../../src/util/largeFiles.ts';

const dir = mkdtempSync(join(tmpdir(), 'lenslab-files-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a file written and read in parts of any size holds exactly its bytes', () => {
  const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37 + 11) % 256);
  const path = join(dir, 'parts.bin');
  for (const [writePart, readPart] of [
    [7, 5],
    [1000, 999],
    [1, 4096],
  ]) {
    writeWholeFile(path, bytes, writePart);
    assert.deepEqual(new Uint8Array(readFileSync(path)), bytes, `written in parts of ${writePart}`);
    assert.deepEqual(
      new Uint8Array(readWholeFile(path, readPart)),
      bytes,
      `read in parts of ${readPart}`,
    );
  }
  // A shorter content replaces a longer one entirely.
  writeWholeFile(path, bytes.subarray(0, 10), 3);
  assert.deepEqual(new Uint8Array(readWholeFile(path, 4)), bytes.subarray(0, 10));
  writeFileSync(path, '');
  assert.equal(readWholeFile(path).length, 0);
  assert.throws(() => readWholeFile(join(dir, 'missing.bin')), /ENOENT/);
});
