/**
 * lenslab's privacy library: pure computation over the columnar dataset (no I/O). Release a
 * dataset under an anonymization policy, audit any release with the scoreboard attack and
 * quasi-identifier risk, and gate what leaves.
 *
 * ```ts
 * import { presetPolicy, releaseWithAudit } from './privacy/index.ts';
 * const { published, report } = releaseWithAudit(dataset, presetPolicy('default'), { seed: 1, format: 'ml-1m' });
 * report.gate.passed; // false → nothing but the report may be written
 * ```
 */
export * from './policy.ts';
export * from './scoreboard.ts';
export * from './scoreboardRuns.ts';
export * from './demographics.ts';
export * from './qiRisk.ts';
export * from './transforms.ts';
export * from './laplace.ts';
export * from './pseudonyms.ts';
export * from './release.ts';
export * from './releaseRisk.ts';
export * from './tasteChoice.ts';
export * from './audit.ts';
export * from './gate.ts';
export * from './kendall.ts';
export * from './leaderboard.ts';
export { auditResearchUtility } from './researchUtility.ts';
export * from './utility.ts';
export * from './report.ts';
export * from './readme.ts';
export * from './releaseTags.ts';
export * from './releaseSurveys.ts';
export * from './emailText.ts';
export * from './reportHtml.ts';
