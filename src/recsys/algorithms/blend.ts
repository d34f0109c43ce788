/**
 * A linear blend of rating predictors (stacking, as the Netflix Prize teams did):
 *
 *   r̂_ui = w_0 + Σ_m w_m r̂^m_ui
 *
 * Fit: a random share (validationShare) of the training ratings is held out; every member is
 * fitted on the rest and predicts the held-out ratings; the weights solve ridge-regularized
 * least squares on those predictions (the intercept unpenalized); then every member is refitted
 * on all training ratings. Members use the tuned settings below (see the README); fold-in
 * folds the member into every member model; explanations and similar items come from the first
 * neighbourhood member (else the first member).
 */
import { Random, shuffledIndices } from '../../util/random.ts';
import { selectRatings, type Ratings } from '../../datasets/dataset.ts';
import {
  num,
  ParameterError,
  resolveParams,
  type AlgorithmDefinition,
  type FitOptions,
} from '../algorithm.ts';
import { choleskySolve } from '../linalg.ts';
import { RatingMatrix, type WireMatrix } from '../matrix.ts';
import { defaultThreads } from '../parallel.ts';
import { startTsxWorker, workerResult } from '../../util/tsxWorker.ts';
import { parseModelFile } from '../serialize.ts';
import { BaseModel, coreFromMatrix, shareTrainingData } from '../model.ts';
import {
  FoldedUser,
  type ModelCore,
  type ModelParts,
  type Params,
  type ScoredItem,
  type UserRef,
  type UserView,
} from '../modelTypes.ts';
import { fitBaseline } from './bias.ts';

/** Settings of each member inside the blend (tuned on validation data, see the README). */
export const BLEND_MEMBER_PARAMS: Record<string, Params> = {
  'item-knn': {},
  'user-knn': {},
  svd: { factors: 100, epochs: 40, learningRate: 0.01, regularization: 0.1 },
  svdpp: { factors: 50, learningRate: 0.007, regularization: 0.05 },
  als: { factors: 50, iterations: 10, regularization: 0.15, biasRegularization: 2 },
};

/** The algorithms a blend may fit and load as members, by name (the registry's single models). */
export type MemberAlgorithms = Readonly<Record<string, AlgorithmDefinition>>;

/** Fits a member with its blend settings. */
export function fitMember(
  definition: AlgorithmDefinition,
  matrix: RatingMatrix,
  options: FitOptions & { seed: number },
): BaseModel {
  const params = resolveParams(definition, BLEND_MEMBER_PARAMS[definition.name] ?? {});
  return definition.fit(matrix, params, { seed: options.seed, threads: options.threads });
}

/** What a worker thread needs to fit one member (blendMemberWorker.ts). */
export interface MemberFitInput {
  name: string;
  matrix: WireMatrix;
  seed: number;
  threads?: number;
  /** The held-out ratings to predict (the weights' pass), or null (the final pass). */
  validation: { userIndex: Int32Array; itemIndex: Int32Array } | null;
}

/** A member fitted on a worker thread: its model file, and its predictions of the held-out ratings. */
export interface MemberFitResult {
  bytes: Uint8Array;
  predictions: Float32Array | null;
}

const MEMBER_WORKER = new URL('./blendMemberWorker.ts', import.meta.url);

/** One member to fit: on the weights' pass (predicting the held-out ratings) or the final one. */
interface MemberJob {
  name: string;
  matrix: RatingMatrix;
  validation: Ratings | null;
}

/**
 * The members by their fit time, longest first (at 10M ratings, 2026-12-07, single-precision SGD
 * kernel: svd 29 s, als 30 s on two threads, svdpp 22 s, item-knn 17 s; user-knn several times
 * svd; README: Algorithms).
 * The longest start first, so the last to end is a short one.
 */
const LONGEST_FIRST = ['user-knn', 'svd', 'svdpp', 'als', 'item-knn', 'bias'];

/**
 * Fits the members on worker threads, `options.threads` at a time (default: the cores), each on
 * its own thread, the costliest first; `done` is called as each one ends. Results come in the
 * order of `jobs`.
 */
async function fitMembersOnWorkers(
  jobs: MemberJob[],
  options: FitOptions & { seed: number },
  done: () => void,
): Promise<MemberFitResult[]> {
  const rank = (job: MemberJob): number => LONGEST_FIRST.indexOf(job.name);
  const queue = jobs.map((_, j) => j).sort((a, b) => rank(jobs[a]) - rank(jobs[b]) || a - b);
  const results: MemberFitResult[] = [];
  let next = 0;
  // After a failure no further member starts (the fit fails with the first error).
  let failed = false;
  const thread = async () => {
    for (let q = next++; q < queue.length && !failed; q = next++) {
      const { name, matrix, validation } = jobs[queue[q]];
      const worker = startTsxWorker(MEMBER_WORKER, {
        name,
        matrix: matrix.toWire(),
        seed: options.seed,
        threads: options.threads,
        validation: validation && {
          userIndex: validation.userIndex,
          itemIndex: validation.itemIndex,
        },
      } satisfies MemberFitInput);
      try {
        results[queue[q]] = await workerResult<MemberFitResult>(worker, `blend member ${name}`);
      } catch (error) {
        failed = true;
        throw error;
      } finally {
        await worker.terminate();
      }
      done();
    }
  };
  const threads = Math.max(1, Math.min(jobs.length, options.threads ?? defaultThreads()));
  await Promise.all(Array.from({ length: threads }, thread));
  return results;
}

/**
 * A member model from the bytes its blend saved, sharing the blend's id maps and training
 * ratings (a member fitted with the blend has the same: one copy instead of one per member).
 */
function loadMember(algorithms: MemberAlgorithms, bytes: Uint8Array, blend: ModelCore): BaseModel {
  const { core, parts } = parseModelFile(bytes, blend);
  // Files saved before members left their training data out hold a copy of it.
  shareTrainingData(core, blend);
  return algorithms[core.algorithm].restore(core, parts);
}

function matrixRatings(matrix: RatingMatrix): Ratings {
  const userIndex = new Int32Array(matrix.length);
  for (let u = 0; u < matrix.users; u++)
    userIndex.fill(u, matrix.userPtr[u], matrix.userPtr[u + 1]);
  return {
    length: matrix.length,
    userIndex,
    itemIndex: matrix.userItems,
    rating: matrix.userRatings,
    timestamp: new Uint32Array(matrix.length),
    userIds: matrix.userIds,
    itemIds: matrix.itemIds,
  };
}

/** The member list of a blend's parameters (throws ParameterError for a bad one). */
function memberNames(params: Params): string[] {
  const names = String(params.members)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) throw new ParameterError('blend: members needs at least one algorithm');
  for (const name of names) {
    if (!(name in BLEND_MEMBER_PARAMS) && name !== 'bias') {
      throw new ParameterError(
        `blend: "${name}" cannot be a member (choose from bias, ${Object.keys(BLEND_MEMBER_PARAMS).join(', ')})`,
      );
    }
  }
  return names;
}

/** The blend's own core: the training data, shared by its members. */
function blendCore(matrix: RatingMatrix, params: Params): ModelCore {
  return coreFromMatrix(matrix, 'blend', 'rating', params, fitBaseline(matrix));
}

/** The held-out ratings the weights are fitted on, and the matrix of the rest. */
function validationSplit(
  matrix: RatingMatrix,
  params: Params,
  seed: number,
): { validation: Ratings; rest: RatingMatrix } {
  const all = matrixRatings(matrix);
  const order = shuffledIndices(all.length, new Random(seed + 7919));
  const held = Math.max(1, Math.floor(all.length * num(params, 'validationShare')));
  return {
    validation: selectRatings(all, order.subarray(0, held)),
    rest: RatingMatrix.fromRatings(selectRatings(all, order.subarray(held)), matrix.scale),
  };
}

/**
 * The weights: ridge least squares of the held-out ratings on the members' predictions of them,
 * (XᵀX + λ n D) w = Xᵀ r with X = [1, predictions] and D = diag(0, 1, …, 1).
 */
function solveWeights(columns: Float32Array[], validation: Ratings, params: Params): Float64Array {
  const m = columns.length;
  const size = m + 1;
  const a = new Float64Array(size * size);
  const b = new Float64Array(size);
  const x = new Float64Array(size);
  for (let r = 0; r < validation.length; r++) {
    x[0] = 1;
    for (let c = 0; c < m; c++) x[c + 1] = columns[c][r];
    for (let i = 0; i < size; i++) {
      b[i] += x[i] * validation.rating[r];
      for (let j = 0; j < size; j++) a[i * size + j] += x[i] * x[j];
    }
  }
  for (let i = 1; i < size; i++) a[i * size + i] += num(params, 'ridge') * validation.length;
  if (!choleskySolve(a, b, size)) {
    b.fill(1 / m);
    b[0] = 0;
  }
  return b;
}

export class BlendModel extends BaseModel {
  constructor(
    core: ModelCore,
    readonly members: BaseModel[],
    /** [w_0, w_1, …, w_M] */
    readonly weights: Float64Array,
  ) {
    super(core);
  }

  protected override completeView(user: UserRef, view: UserView): UserView {
    view.members = this.members.map((member, m) =>
      user instanceof FoldedUser ? member.view(user.members[m] ?? user) : member.view(user),
    );
    return view;
  }

  /**
   * Whether each member indexes the items as the blend does (members fitted with it do): then
   * the ratings the blend resolved are folded into it as they are.
   */
  private sameItems: boolean[] | null = null;

  override foldInItems(items: Int32Array, values: Float32Array, previous?: FoldedUser): FoldedUser {
    const ids = this.itemIds.ids;
    this.sameItems ??= this.members.map(
      (member) => member.items === this.items && member.itemIds.ids.every((id, i) => id === ids[i]),
    );
    const members = this.members.map((member, m) =>
      this.sameItems![m]
        ? member.foldInItems(items, values, previous?.members[m])
        : member.foldIn(
            Array.from(items, (item, k) => ({ movieId: ids[item], rating: values[k] })),
            previous?.members[m],
          ),
    );
    const own = super.foldInItems(items, values);
    return new FoldedUser(own.items, own.ratings, own.bias, own.state, members);
  }

  protected scoreOne(user: UserView, item: number): number {
    const views = user.members as UserView[];
    let value = this.weights[0];
    for (let m = 0; m < this.members.length; m++) {
      const member = this.members[m];
      value += this.weights[m + 1] * member.clip(member.estimate(views[m], item));
    }
    return value;
  }

  /** Member scores land here before they are weighted (reused: scoring is synchronous). */
  private memberScores: Float64Array | null = null;

  /** Every member scores all items at once; the weighted, clipped scores are summed. */
  protected override scoreInto(user: UserView, out: Float64Array): void {
    const views = user.members as UserView[];
    const scratch = (this.memberScores ??= new Float64Array(this.items));
    out.fill(this.weights[0]);
    for (let m = 0; m < this.members.length; m++) {
      const member = this.members[m];
      member.scoreView(views[m], scratch);
      const weight = this.weights[m + 1];
      for (let i = 0; i < this.items; i++) out[i] += weight * member.clip(scratch[i]);
    }
  }

  private explainer(): BaseModel {
    return this.members.find((m) => m.algorithm === 'item-knn') ?? this.members[0];
  }

  override similarItems(item: number, n: number): ScoredItem[] {
    return this.explainer().similarItems(item, n);
  }

  override explain(user: UserRef, item: number, n = 3): ScoredItem[] {
    const index = this.members.indexOf(this.explainer());
    return this.explainer().explain(
      user instanceof FoldedUser ? (user.members[index] ?? user) : user,
      item,
      n,
    );
  }

  protected parts(): ModelParts {
    const arrays: ModelParts['arrays'] = { weights: this.weights };
    const fields: ModelParts['fields'] = { members: this.members.length };
    this.members.forEach((member, m) => {
      // The blend's own core holds the training data once for all.
      const bytes = member.toBytes({ withoutTrainingData: true });
      const packed = new Uint8Array(Math.ceil(bytes.length / 4) * 4);
      packed.set(bytes);
      arrays[`member${m}`] = new Int32Array(packed.buffer);
      fields[`member${m}Bytes`] = bytes.length;
    });
    return { arrays, fields };
  }
}

/** The blend algorithm over the given member algorithms (which must include every member name). */
export function blendAlgorithm(algorithms: MemberAlgorithms): AlgorithmDefinition {
  return {
    name: 'blend',
    description:
      'Linear blend (stacking) of k-NN and factor models, weights fitted on held-out training ratings',
    kind: 'rating',
    params: {
      members: {
        // Not user-knn: it improved the blend's RMSE by 0.03% on ML-100K and 0.05% on
        // synthetic-1m, and at 10M ratings it took 40% of the server's CPU (a member's fold-in
        // reads every co-rater) and most of the fit (README: Algorithms, blend).
        default: 'item-knn,svd,svdpp,als',
        description:
          'comma-separated rating predictors to blend (item-knn, user-knn, svd, svdpp, als, bias)',
      },
      validationShare: {
        default: 0.1,
        min: 0.01,
        max: 0.5,
        description: 'share of training ratings the weights are fitted on',
      },
      ridge: {
        default: 0.001,
        min: 0,
        description: 'ridge penalty on the weights (times the validation size)',
      },
    },
    validate(params) {
      memberNames(params);
    },
    fit(matrix, params, options) {
      const names = memberNames(params);
      const { validation, rest } = validationSplit(matrix, params, options.seed);
      const columns = names.map((name) =>
        fitMember(algorithms[name], rest, options).predictMany(
          validation.userIndex,
          validation.itemIndex,
        ),
      );
      options.onProgress?.(0.5);
      const weights = solveWeights(columns, validation, params);
      const members = names.map((name) => fitMember(algorithms[name], matrix, options));
      options.onProgress?.(1);
      return new BlendModel(blendCore(matrix, params), members, weights);
    },
    // The same model, bit for bit, with the members fitted side by side on worker threads: both
    // passes in one queue, so no thread waits for the other at the end of the first.
    async fitOnWorkers(matrix, params, options) {
      const names = memberNames(params);
      const { validation, rest } = validationSplit(matrix, params, options.seed);
      let fitted = 0;
      const done = () => options.onProgress?.(++fitted / (2 * names.length));
      const fits = await fitMembersOnWorkers(
        [
          ...names.map((name) => ({ name, matrix: rest, validation })),
          ...names.map((name) => ({ name, matrix, validation: null })),
        ],
        options,
        done,
      );
      const weights = solveWeights(
        fits.slice(0, names.length).map((member) => member.predictions!),
        validation,
        params,
      );
      const core = blendCore(matrix, params);
      return new BlendModel(
        core,
        fits.slice(names.length).map((member) => loadMember(algorithms, member.bytes, core)),
        weights,
      );
    },
    restore(core, parts) {
      const count = Number(parts.fields.members);
      const members: BaseModel[] = [];
      for (let m = 0; m < count; m++) {
        const packed = parts.arrays[`member${m}`] as Int32Array;
        const bytes = new Uint8Array(
          packed.buffer,
          packed.byteOffset,
          Number(parts.fields[`member${m}Bytes`]),
        );
        members.push(loadMember(algorithms, bytes, core));
      }
      return new BlendModel(core, members, parts.arrays.weights as Float64Array);
    },
  };
}
