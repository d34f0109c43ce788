/**
 * The Node.js flags `lenslab serve` runs with (scripts/serve-node-flags, where bin/lenslab reads
 * them; the file says why): for whatever else starts a server the same way, e.g. the serve-mix
 * bench's server process.
 */
import { readFileSync } from 'node:fs';

const FILE = new URL('../../scripts/serve-node-flags', import.meta.url);

export function serveNodeFlags(): string[] {
  return readFileSync(FILE, 'utf8')
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .flatMap((line) => line.split(' '))
    .filter((flag) => flag !== '');
}
