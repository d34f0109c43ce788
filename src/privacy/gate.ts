/**
 * The release gate: the measures of an audit against the policy's thresholds (the five scoreboard
 * settings, the stronger adversaries, k on the quasi-identifiers).
 */
import type { AuditResult } from './audit.ts';
import type { Policy } from './policy.ts';
import type { ScoreboardOutcome } from './scoreboard.ts';

export interface GateResult {
  passed: boolean;
  thresholds: { maxReidentified: number; maxReidentifiedStronger: number; k: number };
  /** One line per failed measure. */
  failures: string[];
  /** The least strict preset whose release passes (null when none does or none was tried). */
  nearestPassingPreset: string | null;
}

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

/**
 * Every adversary the gate judges, in the order tables show them (the five settings and public
 * knowledge at `maxReidentified`, the stronger ones at `maxReidentifiedStronger`), with its limit.
 */
export function gatedOutcomes(
  audit: Pick<AuditResult, 'scoreboard' | 'publicKnowledge' | 'strongerAdversaries'>,
  limits: Pick<GateResult['thresholds'], 'maxReidentified' | 'maxReidentifiedStronger'>,
): Array<{ outcome: ScoreboardOutcome; limit: number; stronger: boolean }> {
  const judged = (stronger: boolean, limit: number) => (outcome: ScoreboardOutcome) => ({
    outcome,
    limit,
    stronger,
  });
  return [
    ...[...audit.scoreboard, ...(audit.publicKnowledge ? [audit.publicKnowledge] : [])].map(
      judged(false, limits.maxReidentified),
    ),
    ...audit.strongerAdversaries.map(judged(true, limits.maxReidentifiedStronger)),
  ];
}

/** The measures of an audit that exceed the policy's thresholds. */
export function gateFailures(
  audit: AuditResult,
  policy: Pick<Policy, 'gate' | 'demographics'>,
): string[] {
  const failures: string[] = [];
  if (audit.releasedUsers === 0)
    failures.push('the release holds no members (none consents or has enough ratings)');
  for (const { outcome, limit, stronger } of gatedOutcomes(audit, policy.gate)) {
    if (outcome.reidentified > limit) {
      failures.push(
        `${stronger ? 'stronger adversary' : 'scoreboard'} (${outcome.name}): ${percent(outcome.reidentified)} of targets re-identified, above ${percent(limit)}`,
      );
    }
  }
  const qi = audit.quasiIdentifiers;
  if (qi && qi.users > 0 && qi.minClassSize < policy.demographics.k) {
    failures.push(
      `quasi-identifiers (${qi.quasiIdentifiers.join(', ')}): smallest class has ${qi.minClassSize} user(s), below k = ${policy.demographics.k}`,
    );
  }
  return failures;
}

/** The highest re-identified share among outcomes (0 for none). */
export function highestReidentified(outcomes: readonly ScoreboardOutcome[]): number {
  return Math.max(0, ...outcomes.map((outcome) => outcome.reidentified));
}
