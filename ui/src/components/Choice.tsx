import { useId } from 'react';
import type { ReactNode } from 'react';

interface ChoiceProps {
  type: 'checkbox' | 'radio';
  name: string;
  value?: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  label: ReactNode;
  /** A longer explanation, linked as the input's description (not part of its name). */
  hint?: ReactNode;
}

/** A checkbox or radio button with a short label and an optional described-by hint. */
export function Choice({ type, name, value, checked, onChange, label, hint }: ChoiceProps) {
  const id = useId();
  return (
    <div className={type === 'radio' ? 'radio' : 'check'}>
      <input
        id={id}
        type={type}
        name={name}
        value={value}
        checked={checked}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(event) => onChange(event.target.checked)}
      />
      <div>
        <label htmlFor={id}>{label}</label>
        {hint && (
          <small id={`${id}-hint`} className="hint">
            {hint}
          </small>
        )}
      </div>
    </div>
  );
}
