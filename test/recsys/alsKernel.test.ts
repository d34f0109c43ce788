/** The conjugate-gradient ALS kernel and its WebAssembly pass. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitAlgorithm } from '../../src/recsys/index.ts';
import type { FactorModel } from '../../src/recsys/algorithms/factors.ts';
import { normalPassModule } from '../../src/recsys/wasm/normalPass.ts';
import { syntheticRatings } from './helpers.ts';

type Exports = {
  memory: WebAssembly.Memory;
  pass: (...args: number[]) => void;
  gather: (...args: number[]) => void;
};

test('wasm pass adds Σ_t (w_t x_t·v − e_t) x_t, by hand', () => {
  const wasm = new WebAssembly.Instance(normalPassModule(), {}).exports as unknown as Exports;
  const heap = new Float64Array(wasm.memory.buffer);
  // rows x_t of 2 doubles (16 bytes) at double 16; v at 2, w at 4, e at 8, out at 12
  heap.set([1, 0, 0, 1, 1, 1, 2, -1], 16);
  heap.set([3, 2], 2);
  heap.set([1, 1, 2, 1], 4);
  heap.set([0, 1, 0, 4], 8);
  heap.set([10, 20], 12);
  wasm.pass(16 * 8, 4, 16, 2 * 8, 4 * 8, 8 * 8, 12 * 8);
  // x·v = 3, 2, 5, 4 → coefficients 3, 1, 10, 0 → out += [3 + 10, 1 + 10]
  assert.deepEqual([...heap.subarray(12, 14)], [23, 31]);
  assert.deepEqual([...heap.subarray(16, 24)], [1, 0, 0, 1, 1, 1, 2, -1], 'rows untouched');
});

test('wasm gather copies the indexed rows one after the other', () => {
  const wasm = new WebAssembly.Instance(normalPassModule(), {}).exports as unknown as Exports;
  const heap = new Float64Array(wasm.memory.buffer);
  const indices = new Int32Array(wasm.memory.buffer);
  heap.set([1, 2, 3, 4, 5, 6], 0); // three rows of 16 bytes
  indices.set([2, 0, 2], 16); // at byte 64
  wasm.gather(128, 0, 64, 3, 16);
  assert.deepEqual([...heap.subarray(16, 22)], [5, 6, 1, 2, 5, 6]);
  assert.equal(heap[22], 0, 'nothing past the n rows');
});

test('als cg: with enough steps every row reaches the exact (Cholesky) solution', () => {
  const ratings = syntheticRatings(40, 25, 10);
  const params = { factors: 5, iterations: 3, regularization: 0.1, biasRegularization: 2 };
  const exact = fitAlgorithm('als', ratings, { ...params, solver: 'cholesky' }, { seed: 2 });
  const cg = fitAlgorithm('als', ratings, { ...params, solver: 'cg', cgSteps: 30 }, { seed: 2 });
  const few = fitAlgorithm('als', ratings, { ...params, solver: 'cg', cgSteps: 1 }, { seed: 2 });
  const a = (exact as FactorModel).f;
  const b = (cg as FactorModel).f;
  const c = (few as FactorModel).f;
  let far = 0;
  for (const key of ['userFactors', 'itemFactors', 'userBias', 'itemBias'] as const)
    for (let x = 0; x < a[key].length; x++) {
      assert.ok(Math.abs(a[key][x] - b[key][x]) < 1e-9, `${key}[${x}]`);
      far = Math.max(far, Math.abs(a[key][x] - c[key][x]));
    }
  assert.ok(far > 1e-3, 'one CG step is not yet exact');
});

test('als: both solvers give the same bytes on 1 and 2 threads', () => {
  const ratings = syntheticRatings(80, 50, 12);
  for (const solver of ['cholesky', 'cg']) {
    const params = { factors: 6, iterations: 3, solver };
    const one = fitAlgorithm('als', ratings, params, { seed: 5, threads: 1 });
    const two = fitAlgorithm('als', ratings, params, { seed: 5, threads: 2 });
    assert.deepEqual(two.toBytes(), one.toBytes(), solver);
  }
});
