/**
 * The progress of a whole pipeline run as one fraction that only moves forward, while its
 * evaluations (the main policy and the frontier's presets) overlap: each evaluation counts its
 * release, audit and utility as a third each (a stage is whole once the evaluation's next one
 * starts; the audit in between by its own fraction), over the evaluations planned.
 */
export type Stage = 'release' | 'audit' | 'utility';

const STAGES: readonly Stage[] = ['release', 'audit', 'utility'];

/** One evaluation's reports: a stage and its own fraction, or done. */
export type StageReporter = (stage: Stage | 'done', fraction?: number) => void;

export class RunProgress {
  private readonly levels: number[] = [];
  private shown = 0;

  constructor(
    private readonly onProgress: ((stage: string, fraction: number) => void) | undefined,
    private planned = 1,
  ) {}

  /**
   * More evaluations to come than planned (the presets, once the gate has refused): the only
   * time the fraction goes back, since the work to do grew.
   */
  plan(evaluations: number): void {
    this.planned = Math.max(this.planned, evaluations);
    this.shown = this.reached();
  }

  /** The reporter of one more evaluation, of the policy named `name`. */
  evaluation(name: string): StageReporter {
    const k = this.levels.push(0) - 1;
    return (stage, fraction = 0) => {
      const level = stage === 'done' ? STAGES.length : STAGES.indexOf(stage) + fraction;
      this.levels[k] = Math.max(this.levels[k], level);
      this.shown = Math.max(this.shown, this.reached());
      this.onProgress?.(`${stage} (${name})`, this.shown);
    };
  }

  private reached(): number {
    const parts = STAGES.length * Math.max(this.planned, this.levels.length);
    return Math.min(1, this.levels.reduce((sum, value) => sum + value, 0) / parts);
  }
}
