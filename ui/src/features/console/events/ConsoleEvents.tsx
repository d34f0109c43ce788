// Event-log export: CSV or JSON Lines, optionally limited to a date range.
import { useState } from 'react';
import { InputField } from '../../../components/Form.tsx';
import { useTitle } from '../../../hooks.ts';

export function ConsoleEvents() {
  useTitle('Event log · Console');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const href = (format: string) => {
    const params = new URLSearchParams({ format });
    if (since) params.set('since', since);
    if (until) params.set('until', until);
    return `/api/console/events/export?${params.toString()}`;
  };
  return (
    <div className="console-section">
      <h2>Event-log export</h2>
      <p>
        Logins, failed logins, page requests, ratings, predictions and recommendations shown,
        searches and recommendation clicks — under pseudonymous member ids (or random visitor ids)
        only. Each export is written to the access-audit log.
      </p>
      <div className="form-inline">
        <InputField label="Since (inclusive)" type="date" value={since} onChange={setSince} />
        <InputField label="Until (exclusive)" type="date" value={until} onChange={setUntil} />
      </div>
      <p className="console-actions">
        <a className="button button-primary" href={href('csv')} download>
          Download CSV
        </a>
        <a className="button" href={href('jsonl')} download>
          Download JSON Lines
        </a>
      </p>
    </div>
  );
}
