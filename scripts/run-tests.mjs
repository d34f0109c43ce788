// Builds dist/ (tests spawn bin/lenslab, which runs it), then runs every *.test.ts under test/
// with Node's test runner (TypeScript through tsx).
// Usage: node scripts/run-tests.mjs [path-filter ...]
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// On a Node.js older than the supported lines, run on one that is (scripts/node-bin.sh).
if (Number(process.versions.node.split('.')[0]) < 22) {
  const bin = execFileSync('scripts/node-bin.sh', { encoding: 'utf8' }).trim();
  const args = [fileURLToPath(import.meta.url), ...process.argv.slice(2)];
  const again = spawnSync(join(bin, 'node'), args, { stdio: 'inherit' });
  process.exit(again.status ?? 1);
}

function findTests(dir) {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return findTests(path);
      return name.endsWith('.test.ts') ? [path] : [];
    })
    .sort();
}

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const build = spawnSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const filters = process.argv.slice(2);
const files = findTests('test').filter(
  (f) => filters.length === 0 || filters.some((x) => f.includes(x)),
);
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
