import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunProgress } from '../../src/privacy/runProgress.ts';

test('overlapping evaluations make one fraction of the run that never goes back', () => {
  const seen: Array<[string, number]> = [];
  const progress = new RunProgress((stage, fraction) => seen.push([stage, fraction]), 2);
  const main = progress.evaluation('default');
  const preset = progress.evaluation('naive');
  main('release');
  main('audit', 0.5); // 1.5 of 6 parts
  preset('release'); // the preset's release starts while the main audit runs
  main('audit', 0.25); // a late report of an earlier fraction moves nothing back
  preset('audit', 1); // 1.5 + 2 of 6
  main('done');
  preset('done');
  assert.deepEqual(seen, [
    ['release (default)', 0],
    ['audit (default)', 0.25],
    ['release (naive)', 0.25],
    ['audit (default)', 0.25],
    ['audit (naive)', 3.5 / 6],
    ['done (default)', 5 / 6],
    ['done (naive)', 1],
  ]);
});

test('more evaluations than planned (the presets after a refusal) lower the fraction once', () => {
  const seen: number[] = [];
  const progress = new RunProgress((_stage, fraction) => seen.push(fraction));
  progress.evaluation('mine')('done');
  assert.equal(seen.at(-1), 1);
  progress.plan(4);
  const preset = progress.evaluation('naive');
  preset('audit', 0.5);
  assert.equal(seen.at(-1), (3 + 1.5) / 12);
});
