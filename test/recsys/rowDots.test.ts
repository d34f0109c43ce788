/** The WebAssembly dot-product kernel gives exactly the sums of linalg's `dot`. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dot } from '../../src/recsys/linalg.ts';
import { RowDots } from '../../src/recsys/wasm/rowDots.ts';
import { Random } from '../../src/util/random.ts';

function randomMatrix(rows: number, columns: number, seed: number): Float64Array {
  const random = new Random(seed);
  return Float64Array.from({ length: rows * columns }, () => random.normal());
}

for (const columns of [1, 2, 7, 8, 100, 101]) {
  test(`rowDots with ${columns} columns: bit-identical to dot, for all rows and listed rows`, () => {
    const rows = 23; // not a multiple of four: the kernel's one-row loop runs too
    const matrix = randomMatrix(rows, columns, columns);
    // The vector sits at an offset inside a longer array, as a user's state [b_u, z_u] does.
    const source = randomMatrix(1, columns + 3, 99);
    const kernel = new RowDots(matrix, rows, columns);
    const all = Array.from(kernel.all(source, 2));
    assert.equal(all.length, rows);
    for (let r = 0; r < rows; r++)
      assert.equal(all[r], dot(matrix, r * columns, source, 2, columns), `row ${r}`);
    const listed = Int32Array.from([22, 0, 5, 5, 17]);
    const some = Array.from(kernel.some(listed, matrix, 3 * columns));
    listed.forEach((r, t) =>
      assert.equal(some[t], dot(matrix, r * columns, matrix, 3 * columns, columns), `row ${r}`),
    );
    // Back to every row after a listed call.
    assert.deepEqual(Array.from(kernel.all(source, 2)), all);
  });
}

test('rowDots copies the matrix: later changes to it do not reach the kernel', () => {
  const matrix = randomMatrix(4, 3, 1);
  const kernel = new RowDots(matrix, 4, 3);
  const before = Array.from(kernel.all(matrix, 0));
  matrix.fill(0);
  const vector = randomMatrix(1, 3, 1).subarray(0, 3);
  assert.deepEqual(Array.from(kernel.all(vector, 0)), before);
});
