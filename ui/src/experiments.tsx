// The member's experiment variants (GET /api/me/experiments), asked once per logged-in member and
// shared through React context. Pages ask `useVariant('predicted-stars')` and get the variant of
// the running experiment of that name (or a name starting with "predicted-stars-"), or null.
import { createContext, useContext, useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { consoleApi } from './features/console/api.ts';
import { useSession } from './session.tsx';

/** null while a member's variants are being asked for. */
const ExperimentsContext = createContext<Record<string, string> | null>({});

export function ExperimentsProvider({ children }: { children: ReactNode }) {
  const { member } = useSession();
  const memberId = member?.id ?? null;
  const [variants, setVariants] = useState<Record<string, string> | null>(null);
  useEffect(() => {
    let current = true;
    setVariants(null);
    if (memberId === null) {
      setVariants({});
      return;
    }
    consoleApi.myExperiments().then(
      (answer) => {
        if (current) setVariants(answer);
      },
      () => {
        if (current) setVariants({});
      },
    );
    return () => {
      current = false;
    };
  }, [memberId]);
  return <ExperimentsContext.Provider value={variants}>{children}</ExperimentsContext.Provider>;
}

/** The member's variant of the experiment type `type` (its name, or `type-…`), or null. */
export function useVariant(type: string): string | null {
  const variants = useContext(ExperimentsContext);
  for (const [name, variant] of Object.entries(variants ?? {})) {
    if (name === type || name.startsWith(`${type}-`)) return variant;
  }
  return null;
}

/**
 * True when the member is in the `hidden` variant of a predicted-stars experiment, and while the
 * variants are still loading (so a `hidden` member never glimpses predicted stars).
 */
export function usePredictedStarsHidden(): boolean {
  const loading = useContext(ExperimentsContext) === null;
  const variant = useVariant('predicted-stars');
  return loading || variant === 'hidden';
}
