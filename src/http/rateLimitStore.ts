/**
 * The store of @fastify/rate-limit's per-route limits (logins, sign-ups and password resets per
 * address and minute, clicks per member address): the database's throttle counters
 * (services/throttles.ts) instead of the plugin's in-process memory, so that N app nodes do not
 * multiply a limit by N. One counter per route and client address; the key is an HMAC of both
 * (Vault.throttleKey), never the address in the clear.
 */
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Throttles } from '../services/throttles.ts';
import type { Vault } from '../services/vault.ts';

export function throttleStore(throttles: Throttles, vault: Vault): FastifyRateLimitStoreCtor {
  class ThrottleStore implements FastifyRateLimitStore {
    /** `route`: "METHOD /path" of the route whose limit this store counts. */
    constructor(
      _options: unknown,
      private readonly route = '(global)',
    ) {}

    incr(
      address: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
    ): void {
      const now = Date.now();
      throttles.hitWindow('route', vault.throttleKey(this.route, address), timeWindow, now).then(
        ({ hits, windowStart }) =>
          callback(null, { current: hits, ttl: Math.max(0, windowStart + timeWindow - now) }),
        (error: Error) => callback(error),
      );
    }

    child(options: Parameters<FastifyRateLimitStore['child']>[0]) {
      // The plugin passes the route's merged limit settings, with the route as `routeInfo`.
      const route = (options as unknown as { routeInfo?: { method?: unknown; url?: string } })
        .routeInfo;
      return new ThrottleStore(undefined, `${String(route?.method)} ${route?.url ?? ''}`);
    }
  }
  return ThrottleStore;
}
