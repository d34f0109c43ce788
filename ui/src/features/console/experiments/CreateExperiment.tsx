// The form that defines a new experiment (created as a draft).
import { useState } from 'react';
import { ErrorMessage } from '../../../components/ErrorMessage.tsx';
import { InputField, SelectField, SubmitButton, TextAreaField } from '../../../components/Form.tsx';
import { useAction } from '../../../hooks.ts';
import { consoleApi } from '../api.ts';

interface VariantDraft {
  name: string;
  weight: string;
}

function inDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

export function CreateExperiment({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('predicted-stars');
  const [hypothesis, setHypothesis] = useState('');
  const [population, setPopulation] = useState('all');
  const [stopsAt, setStopsAt] = useState(inDays(28));
  const [variants, setVariants] = useState<VariantDraft[]>([
    { name: 'shown', weight: '1' },
    { name: 'hidden', weight: '1' },
  ]);
  const { busy, error, submit } = useAction();
  const [created, setCreated] = useState<string | null>(null);

  function setVariant(index: number, change: Partial<VariantDraft>) {
    setVariants((current) => current.map((v, i) => (i === index ? { ...v, ...change } : v)));
  }

  const create = submit(async () => {
    setCreated(null);
    const experiment = await consoleApi.createExperiment({
      name: name.trim(),
      hypothesis: hypothesis.trim(),
      population,
      stopsAt,
      variants: variants.map((v) => ({ name: v.name.trim(), weight: Number(v.weight) })),
    });
    setCreated(experiment.name);
    onCreated();
  });

  return (
    <form className="card form console-form" onSubmit={create} aria-label="New experiment">
      <h3>New experiment</h3>
      <p className="muted">
        Types the site acts on: <code>predicted-stars</code> (variants <code>shown</code> /{' '}
        <code>hidden</code>) and <code>recommender</code> (variants named after algorithms).
      </p>
      <ErrorMessage error={error} title="The experiment was not created." />
      {created && (
        <p className="alert alert-ok" role="status">
          Created “{created}” as a draft. Start it when you are ready.
        </p>
      )}
      <InputField label="Name" value={name} onChange={setName} name="name" required />
      <TextAreaField
        label="Hypothesis"
        value={hypothesis}
        onChange={setHypothesis}
        name="hypothesis"
        rows={2}
      />
      <SelectField label="Population" value={population} onChange={setPopulation} name="population">
        <option value="all">All members</option>
        <option value="new-members">New members only</option>
      </SelectField>
      <InputField
        label="Stops on"
        type="date"
        value={stopsAt}
        onChange={setStopsAt}
        name="stopsAt"
      />
      <fieldset className="field console-variants">
        <legend>Variants and weights</legend>
        {variants.map((variant, index) => (
          <div className="console-variant" key={index}>
            <input
              aria-label={`Variant ${index + 1} name`}
              value={variant.name}
              onChange={(e) => setVariant(index, { name: e.target.value })}
            />
            <input
              aria-label={`Variant ${index + 1} weight`}
              type="number"
              step="any"
              value={variant.weight}
              onChange={(e) => setVariant(index, { weight: e.target.value })}
            />
            {variants.length > 2 && (
              <button
                type="button"
                className="button button-small button-ghost"
                onClick={() => setVariants((current) => current.filter((_, i) => i !== index))}
              >
                Remove
              </button>
            )}
          </div>
        ))}
        <button
          type="button"
          className="button button-small"
          onClick={() => setVariants((current) => [...current, { name: '', weight: '1' }])}
        >
          Add a variant
        </button>
      </fieldset>
      <SubmitButton busy={busy}>Create experiment</SubmitButton>
    </form>
  );
}
