// Star widgets: an interactive whole-star rating control (your rating) and a read-only meter
// for fractional values (predicted and average ratings), drawn in distinct colours.
import { useState } from 'react';

interface StarRatingProps {
  /** Your current rating (1..5) or null. */
  value: number | null;
  /** Called at once when a star is clicked. */
  onRate: (rating: number) => void;
  /** Accessible name of the control, e.g. "Your rating for Heat". */
  label: string;
  busy?: boolean;
  size?: 'small' | 'large';
}

const WORDS = ['', 'Awful', 'Poor', 'OK', 'Good', 'Must see'];

export function StarRating({ value, onRate, label, busy, size = 'small' }: StarRatingProps) {
  const [hover, setHover] = useState<number | null>(null);
  const shown = hover ?? value ?? 0;
  return (
    <div
      className={`star-rating star-rating-${size}${busy ? ' is-busy' : ''}`}
      role="group"
      aria-label={label}
      onMouseLeave={() => setHover(null)}
    >
      {[1, 2, 3, 4, 5].map((star) => (
        <button
          key={star}
          type="button"
          className={`star${star <= shown ? ' is-on' : ''}${hover !== null ? ' is-preview' : ''}`}
          aria-label={`${star} star${star === 1 ? '' : 's'}`}
          aria-pressed={value === star}
          title={`${star} – ${WORDS[star]}`}
          disabled={busy}
          onMouseEnter={() => setHover(star)}
          onFocus={() => setHover(star)}
          onBlur={() => setHover(null)}
          onClick={() => onRate(star)}
        >
          <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path d="M12 2.5l2.9 6.1 6.6.8-4.9 4.6 1.3 6.6L12 17.3l-5.9 3.3 1.3-6.6-4.9-4.6 6.6-.8z" />
          </svg>
        </button>
      ))}
    </div>
  );
}

interface StarMeterProps {
  value: number | null;
  kind: 'predicted' | 'average' | 'yours';
  /** Show the number next to the stars. */
  showValue?: boolean;
}

const KIND_LABEL = { predicted: 'Predicted', average: 'Average', yours: 'Rated' };

/** A read-only, fractional star display with an accessible name ("Predicted 4.2 out of 5"). */
export function StarMeter({ value, kind, showValue = true }: StarMeterProps) {
  if (value === null || value === undefined) return null;
  const clamped = Math.max(0, Math.min(5, value));
  const text = kind === 'yours' ? String(Math.round(clamped)) : clamped.toFixed(1);
  return (
    <span
      className={`star-meter star-meter-${kind}`}
      role="img"
      aria-label={`${KIND_LABEL[kind]} ${text} out of 5`}
      title={`${KIND_LABEL[kind]}: ${text} / 5`}
    >
      <span className="star-meter-track" aria-hidden="true">
        ★★★★★
        <span className="star-meter-fill" style={{ width: `${(clamped / 5) * 100}%` }}>
          ★★★★★
        </span>
      </span>
      {showValue && (
        <span className="star-meter-value" aria-hidden="true">
          {text}
        </span>
      )}
    </span>
  );
}
