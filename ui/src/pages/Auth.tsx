// Sign up (confirmed by an e-mailed link and the sign-up password), log in and password reset.
import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router-dom';
import { api, ApiError } from '../api.ts';
import { Choice } from '../components/Choice.tsx';
import { ErrorMessage, Notice } from '../components/ErrorMessage.tsx';
import { useAction, useTitle } from '../hooks.ts';
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
  const { busy, error, run } = useAction();
  const [sentTo, setSentTo] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    await run(async () => {
      const answer = await api.register(email.trim(), password, researchConsent);
      if (answer?.member) {
        signedIn(answer.member, answer.csrfToken);
        navigate('/onboarding');
      } else {
        setSentTo(email.trim());
        setPassword('');
      }
    });
  }

  if (sentTo !== null) return <CheckYourEmail email={sentTo} onBack={() => setSentTo(null)} />;

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

/** After sign-up: the same words whether or not the address already had an account. */
function CheckYourEmail({ email, onBack }: { email: string; onBack: () => void }) {
  useTitle('Check your e-mail');
  return (
    <section className="auth-panel card">
      <h1>Check your e-mail</h1>
      <Notice>
        We sent a message to <strong>{email}</strong>. Follow the link in it and type the password
        you just chose to finish creating your account; the link works once, for 24 hours.
      </Notice>
      <p>
        If that address already has a lenslab account, the message says so instead: then{' '}
        <Link to="/login">log in</Link> or <Link to="/reset-password">reset your password</Link>.
      </p>
      <ResendLink email={email} />
      <p className="muted">
        Wrong address?{' '}
        <button type="button" className="button button-ghost button-small" onClick={onBack}>
          Sign up again
        </button>
      </p>
    </section>
  );
}

/** "Send the link again": always answered alike, so it tells nothing about the address. */
function ResendLink({ email }: { email: string }) {
  const [sent, setSent] = useState(false);
  const { busy, error, run } = useAction();

  async function resend() {
    await run(async () => {
      await api.resendSignupLink(email);
      setSent(true);
    });
  }

  return (
    <div className="form">
      {sent && <Notice>If a sign-up is waiting for that address, a new link is on its way.</Notice>}
      <ErrorMessage error={error} title="Could not send the link." />
      <button
        type="button"
        className="button button-wide"
        disabled={busy || email.trim() === ''}
        onClick={() => void resend()}
      >
        {busy ? 'Sending…' : 'Send the link again'}
      </button>
    </div>
  );
}

/** True for the server's answer that a link is unknown, expired, used or out of tries. */
function deadLink(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    error.status === 400 &&
    (error.problem.errors ?? []).some((field) => field.path === 'token')
  );
}

/**
 * The sign-up link's page: asks for the password chosen at sign-up, so that a link mailed after
 * a stranger's sign-up with your address cannot give you an account whose password they know.
 */
export function VerifyEmailPage() {
  useTitle('Confirm your account');
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const { ready, signedIn } = useSession();
  const navigate = useNavigate();
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();

  async function submit(event: FormEvent) {
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
      <section className="auth-panel card">
        <h1>Confirm your account</h1>
        <div className="alert alert-error" role="alert">
          <strong>This link does not work.</strong> It is unknown, expired (after 24 hours), already
          used, or was tried with too many wrong passwords.
        </div>
        <p>
          If you followed it before, your account exists: <Link to="/login">log in</Link>. Otherwise{' '}
          <Link to="/signup">sign up again</Link> for a new link.
        </p>
      </section>
    );
  }

  return (
    <section className="auth-panel card">
      <h1>Confirm your account</h1>
      <p className="lead">
        Type the password you chose when you signed up to create your account and log in.
      </p>
      <Notice>
        Did not sign up to lenslab? Then someone else used your address: close this page and no
        account is created.
      </Notice>
      <ErrorMessage error={error} title="Could not confirm the account." loginHint={false} />
      <form onSubmit={(event) => void submit(event)} className="form" aria-label="Confirm account">
        <label className="field">
          <span>Password chosen at sign-up</span>
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </label>
        {/* Wait for the page's own session lookup, else its (older) answer would undo the login. */}
        <button
          type="submit"
          className="button button-primary button-wide"
          disabled={busy || !ready}
        >
          {busy ? 'Confirming…' : 'Confirm and log in'}
        </button>
      </form>
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
  const { busy, error, run } = useAction();

  async function submit(event: FormEvent) {
    event.preventDefault();
    await run(async () => {
      const answer = await api.login(email.trim(), password);
      if (!answer?.member) throw new Error('The server did not return the member.');
      signedIn(answer.member, answer.csrfToken);
      const from = state.from && !['/login', '/signup'].includes(state.from) ? state.from : '/';
      navigate(answer.member.onboarded ? from : '/onboarding');
    });
  }

  return (
    <section className="auth-panel card">
      <h1>Log in</h1>
      {state.loggedOut && <Notice>You are logged out. See you soon!</Notice>}
      {state.reset && <Notice>Your password was changed. Log in with the new one.</Notice>}
      <ErrorMessage error={error} title="Could not log in." loginHint={false} />
      {error instanceof ApiError && error.status === 403 && <ResendLink email={email.trim()} />}
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
  const [sent, setSent] = useState(false);
  const { busy, error, run } = useAction();

  async function submit(event: FormEvent) {
    event.preventDefault();
    await run(async () => {
      await api.requestPasswordReset(email.trim());
      setSent(true);
    });
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
  const { busy, error, setError, run } = useAction();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (password !== repeat) {
      setError(new Error('The two passwords are not the same.'));
      return;
    }
    await run(async () => {
      await api.confirmPasswordReset(token, password);
      navigate('/login', { state: { reset: true } });
    });
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
