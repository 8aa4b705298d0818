import { useId, type ComponentPropsWithRef, type ReactNode, type SelectHTMLAttributes } from 'react';

interface FieldProps {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
}

/** A labelled input with its hint and error wired to aria-describedby / aria-invalid. */
export function TextField({ label, hint, error, ...input }: FieldProps & ComponentPropsWithRef<'input'>) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const described = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint && (
        <div id={hintId} className="field-hint">
          {hint}
        </div>
      )}
      <input id={id} aria-describedby={described} aria-invalid={error ? true : undefined} {...input} />
      {error && (
        <div id={errorId} className="field-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}

/** A secret (PIN, passphrase): never autocompleted, never spell-checked, never remembered. */
export function SecretField(props: FieldProps & ComponentPropsWithRef<'input'>) {
  return <TextField type="password" autoComplete="off" spellCheck={false} {...props} />;
}

export function SelectField({
  label,
  hint,
  error,
  children,
  ...select
}: FieldProps & SelectHTMLAttributes<HTMLSelectElement> & { children: ReactNode }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint && <div className="field-hint">{hint}</div>}
      <select id={id} aria-invalid={error ? true : undefined} {...select}>
        {children}
      </select>
      {error && (
        <div className="field-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
