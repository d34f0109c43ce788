import type { ReactNode } from 'react';
import { ApiError } from '../api.ts';

/** Shows an API problem (title, detail and per-field errors) or any other error, as an alert. */
export function ErrorMessage({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  let heading = title ?? 'Something went wrong';
  let detail: string;
  let fields: Array<{ path?: string; message?: string }> = [];
  if (error instanceof ApiError) {
    const problem = error.problem;
    heading = title ?? problem.title ?? heading;
    detail = problem.detail ?? '';
    fields = problem.errors ?? [];
    if (!detail && error.status === 404) detail = 'Not found.';
  } else if (error instanceof Error) {
    detail = error.message;
  } else {
    detail = String(error);
  }
  return (
    <div className="alert alert-error" role="alert">
      <strong>{heading}</strong>
      {detail && <span> {detail}</span>}
      {fields.length > 0 && (
        <ul>
          {fields.map((field, index) => (
            <li key={index}>
              {field.path ? <code>{field.path}</code> : null} {field.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <div className="alert alert-ok" role="status">
      {children}
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label}
    </div>
  );
}
