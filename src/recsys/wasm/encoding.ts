/**
 * A tiny WebAssembly encoder: the byte encodings and the instructions lenslab's kernels use
 * (normalPass.ts, rowDots.ts, sgdSteps.ts), so kernels are emitted from readable TypeScript at start-up
 * (no binary in the repository, no toolchain).
 */
export const I32 = 0x7f;
export const V128 = 0x7b;
export const F64 = 0x7c;

/** Bytes in a page of WebAssembly memory. */
export const PAGE = 65536;
export const align16 = (bytes: number): number => Math.ceil(bytes / 16) * 16;

export function unsigned(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

export function signed(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

export const vector = (items: number[][]): number[] => [...unsigned(items.length), ...items.flat()];
export const section = (id: number, body: number[]): number[] => [
  id,
  ...unsigned(body.length),
  ...body,
];
export const name = (text: string): number[] => vector([...text].map((c) => [c.charCodeAt(0)]));

/** Instruction encoders (only what the kernel uses). */
export const get = (local: number): number[] => [0x20, ...unsigned(local)];
export const set = (local: number): number[] => [0x21, ...unsigned(local)];
export const i32 = (value: number): number[] => [0x41, ...signed(value)];
export const simd = (opcode: number): number[] => [0xfd, ...unsigned(opcode)];
export const ADD = [0x6a];
export const MUL = [0x6c];
export const LT_U = [0x49];
export const GT_U = [0x4b];
export const EQZ = [0x45];
export const SUB = [0x6b];
export const I32_LOAD = [0x28, 2, 0]; // align 2^2, offset 0
export const F32_LOAD = [0x2a, 2, 0]; // align 2^2, offset 0
export const F64_LOAD = [0x2b, 3, 0]; // align 2^3, offset 0
export const F64_STORE = [0x39, 3, 0];
export const F64_ADD = [0xa0];
export const F64_SUB = [0xa1];
export const F64_MUL = [0xa2];
export const F64_PROMOTE_F32 = [0xbb];
export const F64_DIV = [0xa3];
export const F64_SQRT = [0x9f];
export const F64_CONVERT_I32_U = [0xb8];
export const f64 = (value: number): number[] => {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, value, true);
  return [0x44, ...bytes];
};
export const V_LOAD = [...simd(0x00), 4, 0]; // align 2^4, offset 0
export const V_STORE = [...simd(0x0b), 4, 0];
export const V_ZERO = [...simd(0x0c), ...new Array<number>(16).fill(0)];
// f64x2 (two doubles per v128)
export const SPLAT = simd(0x14);
export const LANE = (lane: number): number[] => [...simd(0x21), lane];
export const V_ADD = simd(0xf0);
export const V_SUB = simd(0xf1);
export const V_MUL = simd(0xf2);
export const F32_DEMOTE_F64 = [0xb6];
// f32x4 (four floats per v128)
export const F32X4_SPLAT = simd(0x13);
export const F32X4_LANE = (lane: number): number[] => [...simd(0x1f), lane];
export const F32X4_ADD = simd(0xe4);
export const F32X4_SUB = simd(0xe5);
export const F32X4_MUL = simd(0xe6);
export const BLOCK = [0x02, 0x40];
export const LOOP = [0x03, 0x40];
export const END = [0x0b];
export const BR = (depth: number): number[] => [0x0c, ...unsigned(depth)];
export const BR_IF = (depth: number): number[] => [0x0d, ...unsigned(depth)];

/** A function type with `params` i32 parameters and no result. */
export const signature = (params: number): number[] => [
  0x60,
  ...vector(new Array<number[]>(params).fill([I32])),
  ...vector([]),
];

/** A function body as the code section holds it: its locals as [count, type] groups, then its
 * code (which ends with END). */
export const functionBody = (locals: Array<[number, number]>, code: number[]): number[] => {
  const body = [...vector(locals.map(([count, type]) => [...unsigned(count), type])), ...code];
  return [...unsigned(body.length), ...body];
};

/**
 * A module of exported functions (`params` i32 arguments each, no result; `body` from
 * functionBody) sharing one growable memory, exported as "memory" (1 page initially).
 */
export function moduleBytes(
  functions: ReadonlyArray<{ name: string; params: number; body: number[] }>,
): Uint8Array<ArrayBuffer> {
  const indexes = functions.map((_, f) => unsigned(f));
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(functions.map((f) => signature(f.params)))),
    ...section(3, vector(indexes)),
    ...section(5, vector([[0x00, ...unsigned(1)]])),
    ...section(
      7,
      vector([
        ...functions.map((f, i) => [...name(f.name), 0x00, ...indexes[i]]),
        [...name('memory'), 0x02, ...unsigned(0)],
      ]),
    ),
    ...section(10, vector(functions.map((f) => f.body))),
  ]);
}
