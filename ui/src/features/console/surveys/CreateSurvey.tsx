// A researcher's new survey: title, its own privacy statement, questions, audience and dates.
// The server checks it all and names each field at fault; an admin approves it before it opens.
import { useState } from 'react';
import { ErrorMessage } from '../../../components/ErrorMessage.tsx';
import { InputField, SelectField, SubmitButton, TextAreaField } from '../../../components/Form.tsx';
import { Choice } from '../../../components/Choice.tsx';
import { useAction, useDraft } from '../../../hooks.ts';
import { extrasApi, type Question, type SurveyDefinition } from '../../extras/api.ts';

interface QuestionDraft {
  kind: Question['kind'];
  prompt: string;
  /** Choices, or movie ids, comma-separated. */
  list: string;
}

const KINDS: Array<[Question['kind'], string]> = [
  ['single', 'One choice'],
  ['multiple', 'Several choices'],
  ['scale', 'Scale 1–5'],
  ['text', 'Free text'],
  ['movies', 'Rate these movies'],
];

const items = (list: string) =>
  list
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

function toQuestion(draft: QuestionDraft): SurveyDefinition['questions'][number] {
  if (draft.kind === 'single' || draft.kind === 'multiple')
    return { kind: draft.kind, prompt: draft.prompt, options: items(draft.list) };
  if (draft.kind === 'movies')
    return { kind: draft.kind, prompt: draft.prompt, movieIds: items(draft.list).map(Number) };
  return { kind: draft.kind, prompt: draft.prompt };
}

const inDays = (days: number) =>
  new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

export function CreateSurvey({ onCreated }: { onCreated: () => void }) {
  const { draft, field } = useDraft({
    title: '',
    collected: '',
    purpose: '',
    access: '',
    retention: '',
    audience: 'all',
    audienceId: '',
    variant: '',
    opensOn: inDays(0),
    closesOn: inDays(14),
  });
  const [releasable, setReleasable] = useState(false);
  const [questions, setQuestions] = useState<QuestionDraft[]>([
    { kind: 'scale', prompt: '', list: '' },
  ]);
  const action = useAction();
  const change = (index: number, patch: Partial<QuestionDraft>) =>
    setQuestions((current) => current.map((q, i) => (i === index ? { ...q, ...patch } : q)));

  const audience = (): SurveyDefinition['audience'] =>
    draft.audience === 'experiment'
      ? {
          kind: 'experiment',
          experimentId: Number(draft.audienceId),
          ...(draft.variant ? { variant: draft.variant } : {}),
        }
      : draft.audience === 'rated'
        ? { kind: 'rated', movieId: Number(draft.audienceId) }
        : { kind: 'all' };

  const create = action.submit(async () => {
    await extrasApi.createSurvey({
      title: draft.title,
      statement: {
        collected: draft.collected,
        purpose: draft.purpose,
        access: draft.access,
        retention: draft.retention,
      },
      questions: questions.map(toQuestion),
      audience: audience(),
      // Opens at the start of its first day (now, when that is today), closes at the end of its last.
      opensAt:
        draft.opensOn === inDays(0)
          ? new Date().toISOString()
          : new Date(`${draft.opensOn}T00:00:00Z`).toISOString(),
      closesAt: new Date(`${draft.closesOn}T23:59:59Z`).toISOString(),
      releasable,
    });
    onCreated();
  });

  return (
    <form className="card form" onSubmit={create} aria-label="New survey">
      <h2>New survey</h2>
      <ErrorMessage error={action.error} title="The survey was not saved." />
      <InputField label="Title" required {...field('title')} />
      <fieldset>
        <legend>Its privacy statement (shown to members before they take part)</legend>
        <TextAreaField label="What is collected" rows={2} {...field('collected')} />
        <TextAreaField label="Why" rows={2} {...field('purpose')} />
        <TextAreaField label="Who sees it" rows={2} {...field('access')} />
        <TextAreaField label="How long it is kept" rows={2} {...field('retention')} />
        <Choice
          type="checkbox"
          name="releasable"
          checked={releasable}
          onChange={setReleasable}
          label="The statement allows the answers in a published dataset release"
        />
      </fieldset>
      {questions.map((question, index) => (
        <fieldset key={index} className="survey-question">
          <legend>Question {index + 1}</legend>
          <SelectField
            label="Kind"
            value={question.kind}
            onChange={(kind) => change(index, { kind: kind as Question['kind'] })}
          >
            {KINDS.map(([kind, label]) => (
              <option key={kind} value={kind}>
                {label}
              </option>
            ))}
          </SelectField>
          <InputField
            label="Question"
            value={question.prompt}
            onChange={(prompt) => change(index, { prompt })}
          />
          {(question.kind === 'single' ||
            question.kind === 'multiple' ||
            question.kind === 'movies') && (
            <InputField
              label={
                question.kind === 'movies'
                  ? 'Movie ids (comma-separated)'
                  : 'Choices (comma-separated)'
              }
              value={question.list}
              onChange={(list) => change(index, { list })}
            />
          )}
        </fieldset>
      ))}
      <button
        type="button"
        className="button"
        onClick={() =>
          setQuestions((current) => [...current, { kind: 'single', prompt: '', list: '' }])
        }
      >
        Add a question
      </button>
      <SelectField label="Audience" {...field('audience')}>
        <option value="all">All members</option>
        <option value="experiment">An experiment’s members</option>
        <option value="rated">Members who rated a movie</option>
      </SelectField>
      {draft.audience !== 'all' && (
        <InputField
          label={draft.audience === 'experiment' ? 'Experiment id' : 'Movie id'}
          inputMode="numeric"
          {...field('audienceId')}
        />
      )}
      {draft.audience === 'experiment' && (
        <InputField label="Variant (empty: every arm)" {...field('variant')} />
      )}
      <InputField label="Opens on" type="date" {...field('opensOn')} />
      <InputField label="Closes on" type="date" {...field('closesOn')} />
      <SubmitButton busy={action.busy}>Save for approval</SubmitButton>
    </form>
  );
}
