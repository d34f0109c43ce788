// The releases list: a row per release with its gate verdict (or progress), figures, report and
// a download link per file.
import { Table, TableHead } from '../../../components/Table.tsx';
import { consoleApi, type ConsoleRelease } from '../api.ts';
import { JobProgress } from '../jobs.tsx';

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

const LIST_STYLE = { margin: 0, paddingLeft: '1.1rem' };

/** The column headers; on a phone each row is a card and every cell but the first names its column. */
const COLUMNS = [
  'Release',
  'Policy',
  'Gate',
  'Re-identified (each adversary the gate judges)',
  'Released',
  'Research utility',
  'Report and files',
];

export function ReleaseTable({
  releases,
  onCancel,
}: {
  releases: ConsoleRelease[];
  onCancel: (id: string) => void;
}) {
  return (
    <Table className="console-table" stack aria-label="Releases">
      <TableHead columns={COLUMNS} />
      <tbody>
        {releases.map((release) => (
          <tr key={release.id} data-release-status={release.status}>
            <td>
              {release.id}
              <div className="muted">{release.startedAt.slice(0, 19).replace('T', ' ')} UTC</div>
            </td>
            <td data-label={COLUMNS[1]}>
              {release.preset} · {release.format}
              {release.seed !== null && <div className="muted">seed {release.seed}</div>}
            </td>
            <td data-label={COLUMNS[2]}>
              <ReleaseGate release={release} onCancel={onCancel} />
            </td>
            <td data-label={COLUMNS[3]}>
              {release.outcome ? <ReleaseAdversaries release={release} /> : '—'}
            </td>
            <td data-label={COLUMNS[4]}>
              {release.outcome?.releasedRatings != null
                ? `${release.outcome.releasedRatings.toLocaleString()} ratings by ${(release.outcome.releasedUsers ?? 0).toLocaleString()} members`
                : '—'}
            </td>
            <td data-label={COLUMNS[5]}>
              <ReleaseUtility release={release} />
            </td>
            <td data-label={COLUMNS[6]}>
              <ReleaseFiles release={release} />
            </td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

/**
 * Each adversary's re-identified share with the gate's limit for it; a share above its limit is
 * marked, so a refusal names its adversary in the list as well as in the gate's lines.
 */
function ReleaseAdversaries({ release }: { release: ConsoleRelease }) {
  return (
    <ul style={LIST_STYLE} aria-label={`Re-identified in ${release.id}`}>
      {(release.outcome?.adversaries ?? []).map((o) => {
        const above = o.limit !== null && o.reidentified > o.limit;
        return (
          <li key={o.setting} data-above-limit={above || undefined}>
            {o.setting}:{' '}
            {above ? <strong>{percent(o.reidentified)}</strong> : percent(o.reidentified)}
            {o.limit !== null && <span className="muted"> (limit {percent(o.limit)})</span>}
          </li>
        );
      })}
    </ul>
  );
}

/**
 * What the release keeps for research: the utility model's RMSE change and nDCG@10 kept, the
 * leaderboard's τ, the pairs of algorithms not to be compared on it, and the taste model the
 * swap leaned the data towards.
 */
function ReleaseUtility({ release }: { release: ConsoleRelease }) {
  const utility = release.outcome?.utility;
  if (!utility) return <>—</>;
  const signed = (share: number) => `${share >= 0 ? '+' : '−'}${Math.abs(share * 100).toFixed(1)}%`;
  return (
    <ul style={LIST_STYLE}>
      <li>RMSE {signed(utility.rmseChange)}</li>
      <li>nDCG@10 {(utility.ndcgKept * 100).toFixed(0)}% kept</li>
      {utility.tau && (
        <li>
          leaderboard τ {utility.tau.rmse.toFixed(2)} / {utility.tau.ndcgAt10.toFixed(2)}
        </li>
      )}
      {utility.reordered.length > 0 && (
        <li className="muted">
          in another order than on the true data: {utility.reordered.join('; ')}
        </li>
      )}
      {release.outcome?.tasteModel && (
        <li className="muted">swap dealt by {release.outcome.tasteModel}</li>
      )}
    </ul>
  );
}

/** The privacy report (opened in the browser) and a download link per file of the release. */
function ReleaseFiles({ release }: { release: ConsoleRelease }) {
  // The report is linked to be read; the other files are downloads.
  const files = (release.outcome?.files ?? []).filter(
    (name) => !(release.reportUrl && name === 'privacy-report.html'),
  );
  if (!release.reportUrl && files.length === 0) return <>—</>;
  return (
    <>
      {release.reportUrl && (
        <a href={release.reportUrl} target="_blank" rel="noreferrer">
          privacy-report.html
        </a>
      )}
      {files.length > 0 && (
        <ul style={LIST_STYLE} aria-label={`Files of ${release.id}`}>
          {files.map((name) => (
            <li key={name}>
              <a href={consoleApi.releaseFileUrl(release.id, name)} download={name}>
                {name}
              </a>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function ReleaseGate({
  release,
  onCancel,
}: {
  release: ConsoleRelease;
  onCancel: (id: string) => void;
}) {
  if (release.status === 'running') {
    return (
      <JobProgress
        label={`Release ${release.id} progress`}
        progress={release.progress}
        note={release.phase}
        onCancel={() => onCancel(release.id)}
      />
    );
  }
  if (release.status === 'failed')
    return <span className="alert-error">failed: {release.error}</span>;
  if (release.status === 'cancelled') return <span className="muted">cancelled</span>;
  if (release.status === 'passed') return <strong>passed</strong>;
  return (
    <div>
      <strong>refused</strong>
      <ul style={LIST_STYLE} aria-label="Failed measures">
        {(release.outcome?.failures ?? []).map((failure) => (
          <li key={failure}>{failure}</li>
        ))}
      </ul>
      {release.outcome?.nearestPassingPreset && (
        <div className="muted">
          nearest preset that passes: {release.outcome.nearestPassingPreset}
        </div>
      )}
    </div>
  );
}
