import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IdIndex } from '../../src/datasets/dataset.ts';

test('an id index holds the distinct ids sorted, whether they span a small range or a wide one', () => {
  const narrow = IdIndex.fromValues([7, 3, 7, -2, 3, 10]);
  const wide = IdIndex.fromValues([7, 3, 2_000_000_000, -2, 3, 10]);
  assert.deepEqual(Array.from(narrow.ids), [-2, 3, 7, 10]);
  assert.deepEqual(Array.from(wide.ids), [-2, 3, 7, 10, 2_000_000_000]);
  for (const index of [narrow, wide]) {
    assert.equal(index.indexOf(-2), 0);
    assert.equal(index.indexOf(7), 2);
    assert.equal(index.indexOf(10), 3);
    // Unknown ids, inside the range, outside it, and not integers at all.
    for (const unknown of [4, -3, 11, 3.5, Number.NaN, 1e12]) {
      assert.equal(index.indexOf(unknown), -1, `${unknown}`);
      assert.equal(index.has(unknown), false);
    }
    assert.equal(index.has(3), true);
  }
  assert.equal(wide.indexOf(2_000_000_000), 4);
  const empty = IdIndex.fromValues([]);
  assert.equal(empty.size, 0);
  assert.equal(empty.indexOf(0), -1);
});
