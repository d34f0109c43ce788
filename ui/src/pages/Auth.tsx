// Sign up, log in and password reset.
import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router-dom';
import { api } from '../api.ts';
import { Choice } from '../components/Choice.tsx';
import { ErrorMessage, Notice } from '../components/ErrorMessage.tsx';
import { useTitle } from '../hooks.ts';
import { useSession } from '../session.tsx';

const PASSWORD_HINT = 'At least 10 characters. A few unrelated words make a strong password.';

export function SignupPage() {
  useTitle('Sign up');
  const { signedIn } = useSession();
  const navigate = useNavigate();
  const deleted = Boolean((useLocation().state as { deleted?: boolean } | null)?.deleted);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [researchConsent, setResearchConsent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [checkEmail, setCheckEmail] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await api.register(email.trim(), password, researchConsent);
      if (answer?.member) {
        signedIn(answer.member, answer.csrfToken);
        navigate('/onboarding');
      } else {
        setCheckEmail(true);
      }
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="auth-panel card">
      <h1>Create your lenslab account</h1>
      <p className="lead">
        Rate a few movies you have seen and lenslab learns your taste. Free, open, and your e-mail
        is stored encrypted and never shown to anyone.
      </p>
      {deleted && (
        <Notice>Your account and all its data were deleted. Thank you for using lenslab.</Notice>
      )}
      {checkEmail && (
        <Notice>
          Thanks! Check your e-mail to continue. If you already have an account,{' '}
          <Link to="/login">log in</Link> instead.
        </Notice>
      )}
      <ErrorMessage error={error} title="Could not create the account." />
      <form onSubmit={(event) => void submit(event)} className="form">
        <label className="field">
          <span>E-mail</span>
          <input
            type="email"
            name="email"
            autoComplete="email"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </label>
        <div className="field">
          <label htmlFor="signup-password">Password</label>
          <input
            id="signup-password"
            type="password"
            name="password"
            autoComplete="new-password"
            required
            aria-describedby="password-hint"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
          <small id="password-hint" className="hint">
            {PASSWORD_HINT}
          </small>
        </div>
        <Choice
          type="checkbox"
          name="researchConsent"
          checked={researchConsent}
          onChange={setResearchConsent}
          label="Include my ratings in research datasets"
          hint="lenslab publishes anonymised rating datasets for recommender-systems research, like MovieLens. They never contain your e-mail or username, and every release is checked against re-identification attacks before it leaves. You can change this any time."
        />
        <button type="submit" className="button button-primary button-wide" disabled={busy}>
          {busy ? 'Creating…' : 'Create account'}
        </button>
      </form>
      <p className="muted">
        Already a member? <Link to="/login">Log in</Link>
      </p>
    </section>
  );
}

export function LoginPage() {
  useTitle('Log in');
  const { signedIn } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const state = (location.state ?? {}) as { from?: string; loggedOut?: boolean; reset?: boolean };
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await api.login(email.trim(), password);
      if (!answer?.member) throw new Error('The server did not return the member.');
      signedIn(answer.member, answer.csrfToken);
      const from = state.from && !['/login', '/signup'].includes(state.from) ? state.from : '/';
      navigate(answer.member.onboarded ? from : '/onboarding');
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="auth-panel card">
      <h1>Log in</h1>
      {state.loggedOut && <Notice>You are logged out. See you soon!</Notice>}
      {state.reset && <Notice>Your password was changed. Log in with the new one.</Notice>}
      <ErrorMessage error={error} title="Could not log in." loginHint={false} />
      <form onSubmit={(event) => void submit(event)} className="form">
        <label className="field">
          <span>E-mail</span>
          <input
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </label>
        <label className="field">
          <span>Password</span>
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </label>
        <button type="submit" className="button button-primary button-wide" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
      <p className="muted">
        <Link to="/reset-password">Forgot your password?</Link> · New here?{' '}
        <Link to="/signup">Create an account</Link>
      </p>
    </section>
  );
}

export function ResetPasswordPage() {
  const [params] = useSearchParams();
  const token = params.get('token');
  return token ? <ChooseNewPassword token={token} /> : <RequestReset />;
}

function RequestReset() {
  useTitle('Reset your password');
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.requestPasswordReset(email.trim());
      setSent(true);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="auth-panel card">
      <h1>Reset your password</h1>
      <p className="lead">
        Enter the e-mail address you registered with. If it belongs to an account, we send a link to
        choose a new password. The link works once and expires soon.
      </p>
      {sent && (
        <Notice>
          If an account uses that address, a reset link is on its way. Check your inbox.
        </Notice>
      )}
      <ErrorMessage error={error} title="Could not send the reset link." />
      <form onSubmit={(event) => void submit(event)} className="form">
        <label className="field">
          <span>E-mail</span>
          <input
            type="email"
            name="email"
            autoComplete="email"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </label>
        <button type="submit" className="button button-primary button-wide" disabled={busy}>
          {busy ? 'Sending…' : 'Send reset link'}
        </button>
      </form>
      <p className="muted">
        <Link to="/login">Back to log in</Link>
      </p>
    </section>
  );
}

function ChooseNewPassword({ token }: { token: string }) {
  useTitle('Choose a new password');
  const navigate = useNavigate();
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (password !== repeat) {
      setError(new Error('The two passwords are not the same.'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.confirmPasswordReset(token, password);
      navigate('/login', { state: { reset: true } });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="auth-panel card">
      <h1>Choose a new password</h1>
      <ErrorMessage error={error} title="Could not change the password." />
      <form onSubmit={(event) => void submit(event)} className="form">
        <div className="field">
          <label htmlFor="new-password">New password</label>
          <input
            id="new-password"
            type="password"
            name="password"
            autoComplete="new-password"
            required
            aria-describedby="new-password-hint"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
          <small id="new-password-hint" className="hint">
            {PASSWORD_HINT}
          </small>
        </div>
        <label className="field">
          <span>Repeat new password</span>
          <input
            type="password"
            name="repeat"
            autoComplete="new-password"
            required
            value={repeat}
            onChange={(event) => setRepeat(event.target.value)}
          />
        </label>
        <button type="submit" className="button button-primary button-wide" disabled={busy}>
          {busy ? 'Saving…' : 'Set new password'}
        </button>
      </form>
    </section>
  );
}
