/**
 * What an algorithm is: a name, documented hyper-parameters with defaults, `fit` and `restore`.
 */
import type { RatingMatrix } from './matrix.ts';
import type { BaseModel } from './model.ts';
import type { ModelCore, ModelParts, ParamSpec, Params } from './modelTypes.ts';

export interface FitOptions {
  /** Seed of every random choice (initialization, shuffling). Default 0. */
  seed?: number;
  /** Worker threads for algorithms that parallelize (ALS); default: available cores, max 4. */
  threads?: number;
  /** Called now and then with the fraction of the fit done (0..1). */
  onProgress?: (fraction: number) => void;
}

export interface AlgorithmDefinition {
  /** Name on the command line and in model files. */
  readonly name: string;
  /** One line for tables and --help. */
  readonly description: string;
  /** 'rating' predictors are evaluated by RMSE/MAE; 'ranking' models only rank items. */
  readonly kind: 'rating' | 'ranking';
  readonly params: Readonly<Record<string, ParamSpec>>;
  /** Evaluated as served: each test user folded in from their training ratings (top-picks). */
  readonly foldInUsers?: boolean;
  /** Checks the resolved parameters beyond their specs (throws ParameterError). */
  validate?(params: Params): void;
  fit(matrix: RatingMatrix, params: Params, options: FitOptions & { seed: number }): BaseModel;
  /**
   * The same fit for a caller that can wait, with its parts side by side on worker threads
   * (blend: its members); algorithms without it fit with `fit`.
   */
  fitOnWorkers?(
    matrix: RatingMatrix,
    params: Params,
    options: FitOptions & { seed: number },
  ): Promise<BaseModel>;
  restore(core: ModelCore, parts: ModelParts): BaseModel;
}

/** A hyper-parameter problem a user can cause (unknown name, bad value). */
export class ParameterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParameterError';
  }
}

/**
 * All parameters of an algorithm: defaults overridden by `given` (numbers or strings such as
 * "0.05" from a command line). Unknown names and out-of-range values throw ParameterError.
 */
export function resolveParams(definition: AlgorithmDefinition, given: Params = {}): Params {
  const resolved: Params = {};
  for (const [name, spec] of Object.entries(definition.params)) resolved[name] = spec.default;
  for (const [name, raw] of Object.entries(given)) {
    const spec = definition.params[name];
    if (!spec) {
      const known = Object.keys(definition.params).join(', ') || 'none';
      throw new ParameterError(`${definition.name}: unknown parameter "${name}" (known: ${known})`);
    }
    if (typeof spec.default === 'string') {
      const value = String(raw);
      if (spec.choices && !spec.choices.includes(value)) {
        throw new ParameterError(
          `${definition.name}: ${name} must be one of ${spec.choices.join(', ')}, not "${value}"`,
        );
      }
      resolved[name] = value;
      continue;
    }
    const value = typeof raw === 'number' ? raw : Number(raw);
    if (typeof raw === 'string' && raw.trim() === '') {
      throw new ParameterError(`${definition.name}: ${name} needs a number`);
    }
    if (!Number.isFinite(value))
      throw new ParameterError(`${definition.name}: ${name} must be a number, not "${raw}"`);
    if (spec.integer && !Number.isInteger(value)) {
      throw new ParameterError(`${definition.name}: ${name} must be a whole number, not ${value}`);
    }
    if (spec.min !== undefined && value < spec.min) {
      throw new ParameterError(`${definition.name}: ${name} must be ≥ ${spec.min}, not ${value}`);
    }
    if (spec.max !== undefined && value > spec.max) {
      throw new ParameterError(`${definition.name}: ${name} must be ≤ ${spec.max}, not ${value}`);
    }
    resolved[name] = value;
  }
  definition.validate?.(resolved);
  return resolved;
}

/** Numeric parameter (after resolveParams). */
export function num(params: Params, name: string): number {
  return Number(params[name]);
}
