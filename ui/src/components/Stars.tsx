// Star widgets: an interactive half-star rating control (your rating) and a read-only meter
// for fractional values (predicted and average ratings), drawn in distinct colours.
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';

/** Half stars, as the API takes them. */
const MIN = 0.5;
const MAX = 5;
const STEP = 0.5;
/** A keyboard choice is saved after this pause (or at once with Enter, or on leaving). */
const KEYBOARD_SAVE_DELAY_MS = 800;

/**
 * A rating as pages show it: your ratings exactly ("3.5", "4"), averages and predictions with
 * one decimal. The only place where the UI rounds a rating; the API sends exact values.
 */
export function formatRating(value: number, exact = false): string {
  return exact ? String(value) : value.toFixed(1);
}

/** "3.5 stars", "1 star". */
export function starsText(rating: number): string {
  return `${formatRating(rating, true)} star${rating === 1 ? '' : 's'}`;
}

interface StarRatingProps {
  /** Your current rating (0.5..5) or null. */
  value: number | null;
  /** Called when a rating is chosen: at once on a click, after a pause on the keyboard. */
  onRate: (rating: number) => void;
  /** Accessible name of the control, e.g. "Your rating for Heat". */
  label: string;
  busy?: boolean;
  size?: 'small' | 'large';
}

const clampRating = (rating: number) => Math.min(MAX, Math.max(MIN, rating));

/** Arrow keys move by half a star; Home and End go to the ends; PageUp/PageDown by a star. */
const KEY_MOVES: Record<string, (current: number) => number> = {
  ArrowRight: (current) => current + STEP,
  ArrowUp: (current) => current + STEP,
  ArrowLeft: (current) => current - STEP,
  ArrowDown: (current) => current - STEP,
  PageUp: (current) => current + 1,
  PageDown: (current) => current - 1,
  Home: () => MIN,
  End: () => MAX,
};

/**
 * Your rating as a slider (one tab stop): a click or tap sets the half star under the pointer
 * (the left half of a star is half a star less); the arrow keys move by half a star.
 */
export function StarRating({ value, onRate, label, busy, size = 'small' }: StarRatingProps) {
  const [hover, setHover] = useState<number | null>(null);
  const [pending, setPending] = useState<number | null>(null);
  const track = useRef<HTMLSpanElement>(null);
  const saveTimer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(saveTimer.current), []);

  const chosen = pending ?? value;
  const shown = hover ?? chosen ?? 0;

  /** The half star under the pointer. */
  function pointed(event: { clientX: number }): number {
    const box = track.current!.getBoundingClientRect();
    const fraction = (event.clientX - box.left) / box.width;
    return clampRating(Math.ceil(fraction * (MAX / STEP) - 1e-9) * STEP);
  }

  function save(rating: number | null) {
    window.clearTimeout(saveTimer.current);
    setPending(null);
    if (rating !== null && rating !== value) onRate(rating);
  }

  function onKeyDown(event: KeyboardEvent) {
    if (busy) return;
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      save(pending);
    } else if (event.key === 'Escape') {
      window.clearTimeout(saveTimer.current);
      setPending(null);
    } else if (KEY_MOVES[event.key]) {
      event.preventDefault();
      const next = clampRating(KEY_MOVES[event.key](chosen ?? 0));
      setPending(next);
      window.clearTimeout(saveTimer.current);
      saveTimer.current = window.setTimeout(() => save(next), KEYBOARD_SAVE_DELAY_MS);
    }
  }

  return (
    <span
      className={`star-rating star-rating-${size}${busy ? ' is-busy' : ''}${hover !== null ? ' is-preview' : ''}`}
      role="slider"
      tabIndex={0}
      aria-label={label}
      aria-valuemin={MIN}
      aria-valuemax={MAX}
      aria-valuenow={chosen ?? undefined}
      aria-valuetext={chosen === null ? 'not rated' : `${formatRating(chosen, true)} out of 5`}
      aria-disabled={busy || undefined}
      onKeyDown={onKeyDown}
      onBlur={() => save(pending)}
      onPointerMove={(event) => setHover(pointed(event))}
      onPointerLeave={() => setHover(null)}
      onClick={(event) => {
        if (!busy) save(pointed(event));
      }}
    >
      <span className="star-track" ref={track} aria-hidden="true">
        {[1, 2, 3, 4, 5].map((star) => {
          const fill = Math.min(1, Math.max(0, shown - (star - 1)));
          return (
            <span key={star} className="star">
              <StarShape />
              <span className="star-fill" style={{ width: `${fill * 100}%` }}>
                <StarShape />
              </span>
            </span>
          );
        })}
      </span>
      <span className="star-rating-value" aria-hidden="true">
        {shown > 0 ? formatRating(shown, true) : ''}
      </span>
    </span>
  );
}

function StarShape() {
  return (
    <svg viewBox="0 0 24 24" focusable="false">
      <path d="M12 2.5l2.9 6.1 6.6.8-4.9 4.6 1.3 6.6L12 17.3l-5.9 3.3 1.3-6.6-4.9-4.6 6.6-.8z" />
    </svg>
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
  const text = formatRating(clamped, kind === 'yours');
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
