import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadOperatorPolicies } from '../../src/services/releasePolicies.ts';
import { tempDir } from '../helpers/files.ts';

const COMPARE = `# extends the default preset, always with item-kNN's deals
ratings:
  alternatives: []
  calibration: { steps: 5 }
  swap: { popularShare: 0.25, sigma: 0.7, popularSigma: 0.7, plausibility: item-knn }
`;

/** A policies folder holding the given files. */
function folder(files: Record<string, string>): string {
  const dir = tempDir('lenslab-policies-');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

test("the operator's policies: each file a policy named by the file, over the default preset", () => {
  const dir = folder({
    'compare-algorithms.yaml': COMPARE,
    'strict-zip.json': JSON.stringify({ extends: 'strict', name: 'ignored' }),
    'notes.txt': 'not a policy',
  });
  const policies = loadOperatorPolicies(dir);
  assert.deepEqual([...policies.keys()], ['compare-algorithms', 'strict-zip']);
  const compare = policies.get('compare-algorithms')!;
  assert.equal(compare.name, 'compare-algorithms');
  assert.equal(compare.ratings.swap.plausibility, 'item-knn');
  assert.equal(compare.ratings.swap.popularShare, 0.25);
  // The rest is the default preset's, the gate included.
  assert.equal(compare.gate.maxReidentifiedStronger, 0.1);
  assert.equal(policies.get('strict-zip')!.name, 'strict-zip');
  assert.equal(policies.get('strict-zip')!.demographics.zip, 'region');
});

test('no policies folder: no policies', () => {
  assert.equal(loadOperatorPolicies(join(tempDir(), 'absent')).size, 0);
});

test('a bad policy file stops the server, naming the file and the key', () => {
  const bad = folder({ 'loose.yaml': 'ratings:\n  swap: { sigma: 9 }\n' });
  assert.throws(
    () => loadOperatorPolicies(bad),
    (error: Error) => {
      assert.ok(error.message.includes(join(bad, 'loose.yaml')), error.message);
      assert.match(error.message, /ratings\.swap\.sigma/);
      return true;
    },
  );
  const named = folder({ 'Compare_Algos.yaml': COMPARE });
  assert.throws(
    () => loadOperatorPolicies(named),
    /Compare_Algos\.yaml: a policy's file name must be lower-case words joined by hyphens/,
  );
  const preset = folder({ 'default.yml': COMPARE });
  assert.throws(() => loadOperatorPolicies(preset), /default\.yml: "default" is a preset's name/);
  const twice = folder({ 'compare.yaml': COMPARE, 'compare.json': '{}' });
  assert.throws(
    () => loadOperatorPolicies(twice),
    /compare\.yaml: a second policy named "compare"/,
  );
});
