import type { ReactNode } from 'react';

/** The narrow card of the sign-up, log-in, password and e-mail-link pages. */
export function AuthPanel({ title, children }: { title: ReactNode; children: ReactNode }) {
  return (
    <section className="auth-panel card">
      <h1>{title}</h1>
      {children}
    </section>
  );
}

/** "This link does not work." and why, for a mailed link the server refused. */
export function DeadLinkAlert({ children }: { children: ReactNode }) {
  return (
    <div className="alert alert-error" role="alert">
      <strong>This link does not work.</strong> {children}
    </div>
  );
}
