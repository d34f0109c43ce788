/**
 * The lenslab model file (".lensmodel"), a versioned binary format:
 *
 *   bytes 0–7    magic "LENSMODL"
 *   bytes 8–11   format version (uint32, little-endian), currently 1
 *   bytes 12–15  header length H in bytes (uint32 LE)
 *   16 … 16+H    header: UTF-8 JSON { algorithm, kind, params, scale, baseline, fields,
 *                metadata, arrays: [{ name, type, length, offset }] }, space-padded to 8 bytes
 *   then         the arrays, little-endian, each at its `offset` (from the end of the header),
 *                8-byte aligned
 *
 * Core arrays are named "core.*" (userIds, itemIds, userPtr, userItems, userRatings, userBias,
 * itemBias); algorithm arrays keep their own names. Nothing time-dependent is written unless it
 * is in `metadata`, so the same data, parameters and seed give the same bytes.
 */
import { IdIndex } from '../datasets/dataset.ts';
import type { ModelCore, ModelParts } from './modelTypes.ts';

export const MODEL_FILE_MAGIC = 'LENSMODL';
export const MODEL_FILE_VERSION = 1;

type ArrayType = 'f64' | 'f32' | 'i32';
type AnyArray = Float64Array | Float32Array | Int32Array;

/** A model file that cannot be read: wrong magic, unsupported version, truncated. */
export class ModelFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFileError';
  }
}

function typeOf(array: AnyArray): ArrayType {
  if (array instanceof Float64Array) return 'f64';
  if (array instanceof Float32Array) return 'f32';
  return 'i32';
}

const BYTES: Record<ArrayType, number> = { f64: 8, f32: 4, i32: 4 };

function sortedParams(params: Record<string, number | string>): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const key of Object.keys(params).sort()) out[key] = params[key];
  return out;
}

/** The core arrays that hold the training data (the id maps and the ratings). */
const TRAINING_DATA = new Set([
  'core.userIds',
  'core.itemIds',
  'core.userPtr',
  'core.userItems',
  'core.userRatings',
]);

/**
 * The model file's bytes. `withoutTrainingData` leaves out the training data, for a model
 * saved inside another trained on the same (a blend's members): parseModelFile takes it from
 * that one.
 */
export function serializeModel(
  core: ModelCore,
  parts: ModelParts,
  { withoutTrainingData = false } = {},
): Uint8Array {
  const arrays = (
    [
      ['core.userIds', core.userIds.ids],
      ['core.itemIds', core.itemIds.ids],
      ['core.userPtr', core.userPtr],
      ['core.userItems', core.userItems],
      ['core.userRatings', core.userRatings],
      ['core.userBias', core.baseline.userBias],
      ['core.itemBias', core.baseline.itemBias],
      ...Object.entries(parts.arrays),
    ] as Array<[string, AnyArray]>
  ).filter(([name]) => !(withoutTrainingData && TRAINING_DATA.has(name)));
  let offset = 0;
  const table = arrays.map(([name, array]) => {
    const entry = { name, type: typeOf(array), length: array.length, offset };
    offset += Math.ceil(array.byteLength / 8) * 8;
    return entry;
  });
  const header = {
    format: 'lenslab-model',
    algorithm: core.algorithm,
    kind: core.kind,
    params: sortedParams(core.params),
    scale: { min: core.scale.min, max: core.scale.max, step: core.scale.step },
    baseline: { globalMean: core.baseline.globalMean, userDamping: core.baseline.userDamping },
    fields: parts.fields,
    metadata: core.metadata,
    arrays: table,
  };
  let headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(headerBytes.length / 8) * 8;
  if (padded !== headerBytes.length) {
    const withSpaces = new Uint8Array(padded).fill(0x20);
    withSpaces.set(headerBytes);
    headerBytes = withSpaces;
  }
  const out = new Uint8Array(16 + padded + offset);
  out.set(new TextEncoder().encode(MODEL_FILE_MAGIC), 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, MODEL_FILE_VERSION, true);
  view.setUint32(12, padded, true);
  out.set(headerBytes, 16);
  const base = 16 + padded;
  for (let k = 0; k < arrays.length; k++) {
    const array = arrays[k][1];
    out.set(
      new Uint8Array(array.buffer, array.byteOffset, array.byteLength),
      base + table[k].offset,
    );
  }
  return out;
}

/**
 * The array stored at `start`: a view into the file's bytes, so a loaded model holds its file
 * once and nothing else (copying each array left the server's heap fragmented by the size of
 * the file). The format aligns every array to 8 bytes; bytes that are not (a small Buffer from
 * Node's pool) are copied instead.
 */
function arrayAt(bytes: Uint8Array, start: number, type: ArrayType, length: number): AnyArray {
  const at = bytes.byteOffset + start;
  const buffer =
    at % BYTES[type] === 0
      ? bytes.buffer
      : // Uint8Array.prototype.slice copies even for a Node Buffer (whose own slice is a view).
        Uint8Array.prototype.slice.call(bytes, start, start + length * BYTES[type]).buffer;
  const offset = buffer === bytes.buffer ? at : 0;
  return type === 'f64'
    ? new Float64Array(buffer, offset, length)
    : type === 'f32'
      ? new Float32Array(buffer, offset, length)
      : new Int32Array(buffer, offset, length);
}

/** The parts of a parsed model file, ready for the algorithm's restore(). */
export interface ParsedModelFile {
  core: ModelCore;
  parts: ModelParts;
}

/**
 * Reads a model file's bytes (a Uint8Array or Buffer); a file saved without its training data
 * takes it from `trainingData`. Throws ModelFileError when invalid.
 */
export function parseModelFile(bytes: Uint8Array, trainingData?: ModelCore): ParsedModelFile {
  if (bytes.length < 16 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MODEL_FILE_MAGIC) {
    throw new ModelFileError('not a lenslab model file (bad magic)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== MODEL_FILE_VERSION) {
    throw new ModelFileError(
      `model file format version ${version} is not supported (this lenslab reads ${MODEL_FILE_VERSION})`,
    );
  }
  const headerLength = view.getUint32(12, true);
  if (16 + headerLength > bytes.length)
    throw new ModelFileError('model file is truncated (header)');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + headerLength))) as {
    algorithm: string;
    kind: 'rating' | 'ranking';
    params: Record<string, number | string>;
    scale: { min: number; max: number; step: number };
    baseline: { globalMean: number; userDamping: number };
    fields: Record<string, number | string | boolean>;
    metadata: Record<string, unknown>;
    arrays: Array<{ name: string; type: ArrayType; length: number; offset: number }>;
  };
  const base = 16 + headerLength;
  const arrays: Record<string, AnyArray> = {};
  for (const entry of header.arrays) {
    const start = base + entry.offset;
    const end = start + entry.length * BYTES[entry.type];
    if (end > bytes.length)
      throw new ModelFileError(`model file is truncated (array ${entry.name})`);
    arrays[entry.name] = arrayAt(bytes, start, entry.type, entry.length);
  }
  const take = <T extends AnyArray>(name: string): T => {
    const array = arrays[name];
    if (!array) throw new ModelFileError(`model file lacks array ${name}`);
    delete arrays[name];
    return array as T;
  };
  // The training data: the file's own, else the given model's.
  const own = (name: string) => name in arrays || !trainingData;
  const core: ModelCore = {
    algorithm: header.algorithm,
    kind: header.kind,
    params: header.params,
    scale: header.scale,
    userIds: own('core.userIds')
      ? new IdIndex(take<Int32Array>('core.userIds'))
      : trainingData!.userIds,
    itemIds: own('core.itemIds')
      ? new IdIndex(take<Int32Array>('core.itemIds'))
      : trainingData!.itemIds,
    userPtr: own('core.userPtr') ? take<Int32Array>('core.userPtr') : trainingData!.userPtr,
    userItems: own('core.userItems') ? take<Int32Array>('core.userItems') : trainingData!.userItems,
    userRatings: own('core.userRatings')
      ? take<Float32Array>('core.userRatings')
      : trainingData!.userRatings,
    baseline: {
      globalMean: header.baseline.globalMean,
      userDamping: header.baseline.userDamping,
      userBias: take<Float64Array>('core.userBias'),
      itemBias: take<Float64Array>('core.itemBias'),
    },
    metadata: header.metadata ?? {},
  };
  return { core, parts: { arrays, fields: header.fields } };
}
