// Privacy & preferences: public username, who sees your ratings, research consent, e-mail.
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../api.ts';
import { Choice } from '../components/Choice.tsx';
import { ErrorMessage, Loading, Notice } from '../components/ErrorMessage.tsx';
import { InputField, SubmitButton } from '../components/Form.tsx';
import { RequireMember } from '../components/RequireMember.tsx';
import { useAction, useLoad, useTitle } from '../hooks.ts';
import { useSession } from '../session.tsx';
import type { Privacy, RatingsVisibility } from '../types.ts';

export function PrivacyPage() {
  return (
    <RequireMember>
      <PrivacySettings />
    </RequireMember>
  );
}

const VISIBILITY: Array<{ value: RatingsVisibility; label: string; help: string }> = [
  {
    value: 'public',
    label: 'Public, under my username',
    help: 'Anyone can see your ratings on your profile page (/u/your-username), and on each movie’s page in “Recent ratings from members” under your username, with a link to your profile and the month you rated.',
  },
  {
    value: 'anonymous',
    label: 'Anonymously',
    help: 'Your ratings appear on each movie’s page in “Recent ratings from members” as “a member”: the stars and the month only, never your username, a link or your member number. Your profile shows none of them.',
  },
  {
    value: 'private',
    label: 'Only me',
    help: 'Nobody else sees your ratings. Like every rating, they still count, unnamed, in the averages and histograms.',
  },
];

const PREFERENCES: Array<{
  name: 'researchConsent' | 'emailUpdates';
  label: string;
  help: string;
}> = [
  {
    name: 'researchConsent',
    label: 'Include my ratings in research datasets',
    help: 'Released datasets use fresh random ids, never your e-mail or username, and each release must pass a re-identification attack test before it is published.',
  },
  {
    name: 'emailUpdates',
    label: 'Send me e-mail updates',
    help: 'Occasional news. Every e-mail has a one-click unsubscribe link.',
  },
];

function PrivacySettings() {
  useTitle('Privacy & preferences');
  const { patchMember } = useSession();
  const loaded = useLoad(() => api.privacy(), []);
  const [form, setForm] = useState<Privacy | null>(null);
  const { busy, error, submit } = useAction();
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    if (loaded.data) setForm(loaded.data);
  }, [loaded.data]);

  if (loaded.error) return <ErrorMessage error={loaded.error} />;
  if (!form) return <Loading />;

  function change(changes: Partial<Privacy>) {
    setSaved(false);
    setForm((current) => (current ? { ...current, ...changes } : current));
  }

  const save = submit(async () => {
    if (!form || !loaded.data) return;
    setSaved(false);
    const changes: Partial<Privacy> = {};
    const username = form.username?.trim() ? form.username.trim().toLowerCase() : null;
    if (username !== loaded.data.username) changes.username = username; // null removes it
    if (form.ratingsVisibility !== loaded.data.ratingsVisibility)
      changes.ratingsVisibility = form.ratingsVisibility;
    if (form.researchConsent !== loaded.data.researchConsent)
      changes.researchConsent = form.researchConsent;
    if (form.emailUpdates !== loaded.data.emailUpdates) changes.emailUpdates = form.emailUpdates;
    const next = await api.updatePrivacy(changes);
    loaded.setData(() => next);
    setForm(next);
    patchMember({ username: next.username });
    setSaved(true);
  });

  const needsUsername = form.ratingsVisibility === 'public' && !form.username?.trim();
  return (
    <section className="settings">
      <h1>Privacy &amp; preferences</h1>
      <p className="lead">
        lenslab knows you by a number. Your e-mail address is stored encrypted, used only to log you
        in and to write to you, and never shown to anyone.
      </p>
      {saved && <Notice>Saved. Your choices apply right away.</Notice>}
      <ErrorMessage error={error} title="Could not save your choices." />
      <form className="form card" onSubmit={save}>
        <InputField
          label="Public username"
          name="username"
          autoComplete="nickname"
          pattern="[a-z0-9_]{3,30}"
          placeholder="e.g. film_fan_42"
          value={form.username ?? ''}
          onChange={(username) => change({ username })}
          hint={
            <>
              3–30 lower-case letters, digits or _. Shown on your profile and your board posts; you
              need one to post on the message boards.
              {loaded.data?.username && (
                <>
                  {' '}
                  Your profile:{' '}
                  <Link to={`/u/${loaded.data.username}`}>/u/{loaded.data.username}</Link>
                </>
              )}
            </>
          }
        />

        <fieldset className="field">
          <legend>Show my ratings</legend>
          {VISIBILITY.map((option) => (
            <Choice
              key={option.value}
              type="radio"
              name="ratingsVisibility"
              value={option.value}
              checked={form.ratingsVisibility === option.value}
              onChange={() => change({ ratingsVisibility: option.value })}
              label={option.label}
              hint={option.help}
            />
          ))}
          {needsUsername && (
            <p className="hint warn">Choose a username to share your ratings publicly.</p>
          )}
          <p className="hint">
            Public and anonymous ratings can be read and copied by anyone: treat them as public
            knowledge. Someone who copies them could look for the same ratings in a research
            dataset, so lenslab's research releases leave out every rating you share, and your
            ratings of the movies you name in board posts; the rest of your ratings may still be
            released if you agree to research use, and each release is attacked with what the site
            shows of you before it may leave. A change applies at once: ratings you stop sharing
            disappear from every page (copies others already made are beyond our reach).
          </p>
        </fieldset>

        <fieldset className="field">
          <legend>Research and e-mail</legend>
          {PREFERENCES.map((option) => (
            <Choice
              key={option.name}
              type="checkbox"
              name={option.name}
              checked={form[option.name]}
              onChange={(checked) => change({ [option.name]: checked })}
              label={option.label}
              hint={option.help}
            />
          ))}
        </fieldset>

        <SubmitButton busy={busy} busyLabel="Saving…" disabled={needsUsername}>
          Save choices
        </SubmitButton>
      </form>
    </section>
  );
}
