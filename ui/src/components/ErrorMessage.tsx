import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { ApiError } from '../api.ts';

/** Shows an API problem (title, detail and per-field errors) or any other error, as an alert. */
export function ErrorMessage({
  error,
  title,
  loginHint = true,
}: {
  error: unknown;
  title?: string;
  /** Offer a "Log in" link when the answer was 401 (not on the login form itself). */
  loginHint?: boolean;
}) {
  if (!error) return null;
  let heading = title ?? 'Something went wrong';
  let detail: string;
  let fields: Array<{ path?: string; message?: string }> = [];
  const loggedOut = loginHint && error instanceof ApiError && error.status === 401;
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
      {loggedOut && (
        <span>
          {' '}
          <Link to="/login">Log in</Link> to continue.
        </span>
      )}
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
