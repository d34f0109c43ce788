import { useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router-dom';
import { api, ApiError } from '../../api.ts';
import { AuthPanel } from '../../components/AuthPanel.tsx';
import { ErrorMessage, Notice } from '../../components/ErrorMessage.tsx';
import { EmailField, PasswordField, SubmitButton } from '../../components/Form.tsx';
import { useAction, useTitle } from '../../hooks.ts';
import { useSession } from '../../session.tsx';
import { ResendLink } from './ResendLink.tsx';

export function LoginPage() {
  useTitle('Log in');
  const { signedIn } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const state = (location.state ?? {}) as { from?: string; loggedOut?: boolean; reset?: boolean };
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, submit } = useAction();

  const logIn = submit(async () => {
    const answer = await api.login(email.trim(), password);
    if (!answer?.member) throw new Error('The server did not return the member.');
    signedIn(answer.member, answer.csrfToken);
    const from = state.from && !['/login', '/signup'].includes(state.from) ? state.from : '/';
    navigate(answer.member.onboarded ? from : '/onboarding');
  });

  return (
    <AuthPanel title="Log in">
      {state.loggedOut && <Notice>You are logged out. See you soon!</Notice>}
      {state.reset && <Notice>Your password was changed. Log in with the new one.</Notice>}
      <ErrorMessage error={error} title="Could not log in." loginHint={false} />
      {error instanceof ApiError && error.status === 403 && <ResendLink email={email.trim()} />}
      <form onSubmit={logIn} className="form">
        <EmailField autoComplete="username" value={email} onChange={setEmail} />
        <PasswordField value={password} onChange={setPassword} />
        <SubmitButton busy={busy} busyLabel="Logging in…" wide>
          Log in
        </SubmitButton>
      </form>
      <p className="muted">
        <Link to="/reset-password">Forgot your password?</Link> · New here?{' '}
        <Link to="/signup">Create an account</Link>
      </p>
    </AuthPanel>
  );
}
