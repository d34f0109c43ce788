/**
 * Assignment to a variant (pure): SHA-256(`experiment-id:member-id`) read as a number in [0, 1)
 * against the cumulative weights, so a member's variant is stable across sessions and processes.
 */
import { createHash } from 'node:crypto';

export interface WeightedVariant {
  name: string;
  weight: number;
}

/** SHA-256 of `experiment-id:member-id`, its first 53 bits as a number in [0, 1). */
export function assignmentPoint(experimentId: number, memberId: number): number {
  const digest = createHash('sha256').update(`${experimentId}:${memberId}`).digest();
  // 21 high bits + 32 low bits = 53 bits, exact in a double.
  const high = digest.readUInt32BE(0) >>> 11;
  const low = digest.readUInt32BE(4);
  return (high * 2 ** 32 + low) / 2 ** 53;
}

/** The variant whose cumulative-weight interval holds the member's point. */
export function assignVariant(
  experimentId: number,
  memberId: number,
  variants: ReadonlyArray<WeightedVariant>,
): string {
  let total = 0;
  for (const variant of variants) total += variant.weight;
  const target = assignmentPoint(experimentId, memberId) * total;
  let cumulative = 0;
  for (const variant of variants) {
    cumulative += variant.weight;
    if (target < cumulative) return variant.name;
  }
  return variants[variants.length - 1].name;
}
