/**
 * Fresh random pseudonyms: every release numbers its users 1..n in a random order drawn from the
 * release seed, so release ids carry no trace of live ids or of sign-up order.
 */
import type { Random } from '../util/random.ts';
import { shuffledIndices } from '../util/random.ts';

/** pseudonymOf[u] = the release id (1..n) of the u-th kept user. */
export function drawPseudonyms(users: number, random: Random): Int32Array {
  const order = shuffledIndices(users, random);
  const pseudonymOf = new Int32Array(users);
  for (let k = 0; k < users; k++) pseudonymOf[order[k]] = k + 1;
  return pseudonymOf;
}
