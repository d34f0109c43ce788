// What the model-run and release tabs share: a list of background jobs that is polled while one
// runs, starting and cancelling a job, and a job's progress cell.
import { useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { SubmitButton } from '../../components/Form.tsx';
import { useLoad } from '../../hooks.ts';

/**
 * Loads the list, polls it every second while `busy`; `start(job)` and `cancel(job)` reload it
 * after the job, or keep the job's failure in `error`.
 */
export function useJobList<List extends { busy: boolean }>(load: () => Promise<List>) {
  const list = useLoad(load, []);
  const [error, setError] = useState<unknown>(null);
  const busy = list.data?.busy ?? false;
  const { reload } = list;

  useEffect(() => {
    if (!busy) return;
    const timer = setInterval(reload, 1000);
    return () => clearInterval(timer);
  }, [busy, reload]);

  async function start(job: () => Promise<unknown>) {
    setError(null);
    try {
      await job();
      reload();
    } catch (failure) {
      setError(failure);
    }
  }
  const cancel = (job: () => Promise<unknown>) => {
    job().then(reload, setError);
  };
  return { list, busy, error: error ?? list.error, start, cancel };
}

/** A job's progress bar, what it is doing, and a Cancel button when `onCancel` is given. */
export function JobProgress({
  label,
  progress,
  note,
  onCancel,
}: {
  label: string;
  progress: number;
  note: ReactNode;
  onCancel?: () => void;
}) {
  return (
    <>
      <progress value={progress} max={1} aria-label={label} /> <span className="muted">{note}</span>
      {onCancel && (
        <>
          {' '}
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
        </>
      )}
    </>
  );
}

/** The form that starts a job (disabled while one runs), and the error of the list or a job. */
export function JobForm({
  label,
  jobs,
  job,
  submitLabel,
  busyLabel,
  children,
}: {
  label: string;
  jobs: Pick<ReturnType<typeof useJobList>, 'busy' | 'error' | 'start'>;
  job: () => Promise<unknown>;
  submitLabel: string;
  busyLabel: string;
  children: ReactNode;
}) {
  return (
    <>
      <form
        className="card form-inline"
        onSubmit={(event) => {
          event.preventDefault();
          void jobs.start(job);
        }}
        aria-label={label}
      >
        {children}
        <SubmitButton busy={jobs.busy} busyLabel={busyLabel}>
          {submitLabel}
        </SubmitButton>
      </form>
      <ErrorMessage error={jobs.error} />
    </>
  );
}
