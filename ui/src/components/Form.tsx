// Form parts shared by every form: labelled fields (a text-like input, a text area or a select
// inside a `.field`, with an optional hint linked as the control's description), the e-mail and
// password fields of the auth and account forms, and buttons that show an action's busy state.
import { createElement, useId } from 'react';
import type {
  ChangeEvent,
  ComponentPropsWithoutRef,
  FormEvent,
  MouseEventHandler,
  ReactNode,
} from 'react';

interface FieldFrameProps {
  label: ReactNode;
  /** A longer explanation under the control, linked as its description (not part of its name). */
  hint?: ReactNode;
  /** Extra classes for the `.field` wrapper. */
  className?: string;
}

type ControlTag = 'input' | 'textarea' | 'select';

/** A field's props: the frame's, the control's attributes, and the value as a string. */
export type FieldProps<Tag extends ControlTag> = FieldFrameProps &
  Omit<ComponentPropsWithoutRef<Tag>, 'value' | 'onChange' | 'id'> & {
    value: string;
    onChange: (value: string) => void;
  };

/**
 * A field around a control `tag`. Without a hint the control sits inside its <label>; with one,
 * the label points at the control by id and the hint follows it.
 */
function fieldOf<Tag extends ControlTag>(tag: Tag) {
  return function Field({
    label,
    hint,
    className,
    value,
    onChange,
    ...attributes
  }: FieldProps<Tag>) {
    const id = useId();
    const fieldClass = className ? `field ${className}` : 'field';
    const control = (ids: { id?: string; hintId?: string }) =>
      createElement(tag, {
        id: ids.id,
        'aria-describedby': ids.hintId,
        ...attributes,
        value,
        onChange: (event: ChangeEvent<HTMLInputElement>) => onChange(event.target.value),
      });
    if (hint === undefined) {
      return (
        <label className={fieldClass}>
          <span>{label}</span>
          {control({})}
        </label>
      );
    }
    return (
      <div className={fieldClass}>
        <label htmlFor={id}>{label}</label>
        {control({ id, hintId: `${id}-hint` })}
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      </div>
    );
  };
}

export const InputField = fieldOf('input');
export const TextAreaField = fieldOf('textarea');
const SelectControlField = fieldOf('select');

/** A select field; `options` are options whose text is their value, after any `children`. */
export function SelectField({
  options = [],
  children,
  ...props
}: FieldProps<'select'> & { options?: readonly string[] }) {
  return (
    <SelectControlField {...props}>
      {children}
      {options.map((name) => (
        <option key={name}>{name}</option>
      ))}
    </SelectControlField>
  );
}

type PresetFieldProps = Omit<FieldProps<'input'>, 'label' | 'type'> & { label?: ReactNode };

/** An e-mail address field (required; name "email", autocomplete "email" unless told). */
export function EmailField({ label = 'E-mail', ...props }: PresetFieldProps) {
  return (
    <InputField type="email" name="email" autoComplete="email" required label={label} {...props} />
  );
}

/** A password field (required; name "password", autocomplete "current-password" unless told). */
export function PasswordField({ label = 'Password', ...props }: PresetFieldProps) {
  return (
    <InputField
      type="password"
      name="password"
      autoComplete="current-password"
      required
      label={label}
      {...props}
    />
  );
}

/**
 * A button that shows `busyLabel` (when given) and is disabled while `busy`: a form's submit
 * button, or (`type="button"`) one that starts an action `onClick`.
 */
export function BusyButton({
  type = 'button',
  busy,
  busyLabel,
  disabled = false,
  wide = false,
  className = 'button button-primary',
  onClick,
  children,
}: {
  type?: 'button' | 'submit';
  busy: boolean;
  busyLabel?: ReactNode;
  disabled?: boolean;
  /** As wide as the form (`button-wide`). */
  wide?: boolean;
  className?: string;
  onClick?: MouseEventHandler<HTMLButtonElement>;
  children: ReactNode;
}) {
  return (
    <button
      type={type}
      className={wide ? `${className} button-wide` : className}
      disabled={busy || disabled}
      onClick={onClick}
    >
      {busy && busyLabel !== undefined ? busyLabel : children}
    </button>
  );
}

export function SubmitButton(props: Omit<Parameters<typeof BusyButton>[0], 'type' | 'onClick'>) {
  return <BusyButton type="submit" {...props} />;
}

/** The props of a form component that runs an action (see useAction) and shows its error. */
export interface ActionFormProps {
  /** The action's busy flag and error. */
  action: { busy: boolean; error: unknown };
  onSubmit: (event: FormEvent) => void;
  /** The heading of the action's error. */
  errorTitle: string;
  children: ReactNode;
}
