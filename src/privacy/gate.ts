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

/** The measures of an audit that exceed the policy's thresholds. */
export function gateFailures(
  audit: AuditResult,
  policy: Pick<Policy, 'gate' | 'demographics'>,
): string[] {
  const failures: string[] = [];
  if (audit.releasedUsers === 0)
    failures.push('the release holds no members (none consents or has enough ratings)');
  for (const outcome of [
    ...audit.scoreboard,
    ...(audit.publicKnowledge ? [audit.publicKnowledge] : []),
  ]) {
    if (outcome.reidentified > policy.gate.maxReidentified) {
      failures.push(
        `scoreboard (${outcome.name}): ${percent(outcome.reidentified)} of targets re-identified, above ${percent(policy.gate.maxReidentified)}`,
      );
    }
  }
  for (const outcome of audit.strongerAdversaries) {
    if (outcome.reidentified > policy.gate.maxReidentifiedStronger) {
      failures.push(
        `stronger adversary (${outcome.name}): ${percent(outcome.reidentified)} of targets re-identified, above ${percent(policy.gate.maxReidentifiedStronger)}`,
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
