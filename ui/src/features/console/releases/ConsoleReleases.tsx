// Dataset releases: start a release under a preset or an operator's policy in the background; the list shows each release's
// privacy-gate outcome, the re-identification figures and its report.
import { InputField, SelectField } from '../../../components/Form.tsx';
import { useDraft, useTitle } from '../../../hooks.ts';
import { consoleApi, type ReleaseRequest } from '../api.ts';
import { JobForm, useJobList } from '../jobs.tsx';
import { ReleaseTable } from './ReleaseTable.tsx';

type ReleaseDraft = {
  preset: ReleaseRequest['preset'];
  format: NonNullable<ReleaseRequest['format']>;
  seed: string;
};

const NEW_RELEASE: ReleaseDraft = { preset: 'default', format: 'ml-1m', seed: '1' };

export function ConsoleReleases() {
  useTitle('Releases · Console');
  const releases = useJobList(() => consoleApi.releases());
  const { draft, field } = useDraft(NEW_RELEASE);
  const data = releases.list.data;
  const { preset, format, seed } = draft;

  return (
    <div className="console-section">
      <h2>Dataset releases</h2>
      <p>
        A release publishes the ratings of the members who agreed to research use, in a MovieLens
        format, under fresh pseudonyms. Before anything is written the release is attacked the way
        Narayanan and Shmatikov attacked the Netflix Prize data; when too many members are
        re-identified, the privacy gate refuses it and only the privacy report is kept. The mapping
        to live ids is never written from the console.
      </p>
      <JobForm
        label="Start a release"
        jobs={releases}
        job={() => consoleApi.startRelease({ preset, format, seed: Number(seed) })}
        submitLabel="Start release"
        busyLabel="A release is in progress…"
      >
        <SelectField
          label="Policy"
          hint="A preset, or a policy the operator offers (LENSLAB_POLICIES_DIR)"
          {...field('preset')}
          options={data ? [...data.presets, ...data.policies] : [preset]}
        />
        <SelectField label="Format" {...field('format')} options={data?.formats ?? [format]} />
        <InputField label="Seed" type="number" min={0} step={1} {...field('seed')} />
      </JobForm>
      {data && data.items.length === 0 && <p className="muted">No releases yet.</p>}
      {data && data.items.length > 0 && (
        <ReleaseTable
          releases={data.items}
          onCancel={(id) => releases.cancel(() => consoleApi.cancelRelease(id))}
        />
      )}
    </div>
  );
}
