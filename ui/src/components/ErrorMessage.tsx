import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { ApiError } from '../api.ts';

/** Friendly names of the request fields the server names in its validation errors. */
const FIELD_NAMES: Record<string, string> = {
  email: 'E-mail',
  password: 'Password',
  currentPassword: 'Current password',
  newPassword: 'New password',
  username: 'Username',
  rating: 'Rating',
  title: 'Title',
  body: 'Message',
  token: 'Reset link',
  q: 'Search',
  yearFrom: 'From year',
  yearTo: 'To year',
};

function fieldName(path: string): string {
  return FIELD_NAMES[path] ?? path;
}

/** "currentPassword: the current password is wrong" → "Current password: the current …". */
function humanize(detail: string): string {
  return detail.replace(/(^|; )([A-Za-z.]+): /g, (_match, start: string, path: string) => {
    return `${start}${fieldName(path)}: `;
  });
}

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
    detail = humanize(problem.detail ?? '');
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
      {detail && fields.length <= 1 && <span> {detail}</span>}
      {loggedOut && (
        <span>
          {' '}
          <Link to="/login">Log in</Link> to continue.
        </span>
      )}
      {fields.length > 1 && (
        <ul>
          {fields.map((field, index) => (
            <li key={index}>
              {field.path ? <strong>{fieldName(field.path)}:</strong> : null} {field.message}
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
