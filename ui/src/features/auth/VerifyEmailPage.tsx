// The sign-up link's page (/verify-email?token=…).
import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { api, ApiError } from '../../api.ts';
import { AuthPanel, DeadLinkAlert } from '../../components/AuthPanel.tsx';
import { ErrorMessage, Notice } from '../../components/ErrorMessage.tsx';
import { PasswordField, SubmitButton } from '../../components/Form.tsx';
import { useAction, useTitle } from '../../hooks.ts';
import { useSession } from '../../session.tsx';

/** True for the server's answer that a link is unknown, expired, used or out of tries. */
function deadLink(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    error.status === 400 &&
    (error.problem.errors ?? []).some((field) => field.path === 'token')
  );
}

/**
 * Asks for the password chosen at sign-up, so that a link mailed after a stranger's sign-up with
 * your address cannot give you an account whose password they know.
 */
export function VerifyEmailPage() {
  useTitle('Confirm your account');
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const { ready, signedIn } = useSession();
  const navigate = useNavigate();
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();

  async function confirm(event: FormEvent) {
    event.preventDefault();
    const ok = await run(async () => {
      const answer = await api.verifySignup(token, password);
      if (!answer?.member) throw new Error('The server did not return the member.');
      signedIn(answer.member, answer.csrfToken);
      navigate('/onboarding', { replace: true });
    });
    if (!ok) setPassword('');
  }

  if (!token || deadLink(error)) {
    return (
      <AuthPanel title="Confirm your account">
        <DeadLinkAlert>
          It is unknown, expired (after 24 hours), already used, or was tried with too many wrong
          passwords.
        </DeadLinkAlert>
        <p>
          If you followed it before, your account exists: <Link to="/login">log in</Link>. Otherwise{' '}
          <Link to="/signup">sign up again</Link> for a new link.
        </p>
      </AuthPanel>
    );
  }

  return (
    <AuthPanel title="Confirm your account">
      <p className="lead">
        Type the password you chose when you signed up to create your account and log in.
      </p>
      <Notice>
        Did not sign up to lenslab? Then someone else used your address: close this page and no
        account is created.
      </Notice>
      <ErrorMessage error={error} title="Could not confirm the account." loginHint={false} />
      <form onSubmit={(event) => void confirm(event)} className="form" aria-label="Confirm account">
        <PasswordField label="Password chosen at sign-up" value={password} onChange={setPassword} />
        {/* Wait for the page's own session lookup, else its (older) answer would undo the login. */}
        <SubmitButton busy={busy} busyLabel="Confirming…" disabled={!ready} wide>
          Confirm and log in
        </SubmitButton>
      </form>
    </AuthPanel>
  );
}
