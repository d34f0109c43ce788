// Small data-loading hooks shared by the pages.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
  /** Replaces the loaded value locally (optimistic updates). */
  setData: (update: (current: T | undefined) => T | undefined) => void;
}

/**
 * Runs `load` whenever `deps` change and keeps the newest answer (older answers that arrive
 * late are ignored, so typing fast in a search box cannot show stale results).
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setDataState] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);
  const latest = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const ticket = ++latest.current;
    setLoading(true);
    loadRef.current().then(
      (value) => {
        if (ticket !== latest.current) return;
        setDataState(value);
        setError(null);
        setLoading(false);
      },
      (failure: unknown) => {
        if (ticket !== latest.current) return;
        setError(failure);
        setLoading(false);
      },
    );
  }, [...deps, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const setData = useCallback(
    (update: (current: T | undefined) => T | undefined) => setDataState(update),
    [],
  );
  return { data, error, loading, reload, setData };
}

/** `value`, but only after it stopped changing for `delay` milliseconds. */
export function useDebounced<T>(value: T, delay: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delay);
    return () => clearTimeout(timer);
  }, [value, delay]);
  return settled;
}

/** Sets the document title for a page. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · lenslab` : 'lenslab';
  }, [title]);
}

/**
 * The busy flag and error of an action a form or button starts: `run(job)` sets busy, clears the
 * error, keeps the job's failure for <ErrorMessage>, and resolves to whether the job succeeded;
 * `submit(job)` is a form's onSubmit handler that runs `job` instead of sending the form.
 */
export function useAction(): {
  busy: boolean;
  error: unknown;
  setError: (error: unknown) => void;
  run: (job: () => Promise<unknown>) => Promise<boolean>;
  submit: (job: () => Promise<unknown>) => (event: FormEvent) => void;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function run(job: () => Promise<unknown>): Promise<boolean> {
    setBusy(true);
    setError(null);
    try {
      await job();
      return true;
    } catch (failure) {
      setError(failure);
      return false;
    } finally {
      setBusy(false);
    }
  }
  const submit = (job: () => Promise<unknown>) => (event: FormEvent) => {
    event.preventDefault();
    void run(job);
  };
  return { busy, error, setError, run, submit };
}

/**
 * A form's draft values, and `field(name)`: the value and onChange props of the field that edits
 * `name` (fields give strings; the draft keeps them as its own string types).
 */
export function useDraft<Draft extends Record<string, string>>(initial: Draft) {
  const [draft, setDraft] = useState(initial);
  function field<Name extends keyof Draft>(name: Name) {
    return {
      value: draft[name],
      onChange: (value: string) =>
        setDraft((current) => ({ ...current, [name]: value as Draft[Name] })),
    };
  }
  return { draft, field };
}
