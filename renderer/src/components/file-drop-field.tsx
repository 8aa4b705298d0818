import { useId, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * Several files, chosen with the file picker (keyboard: the input is focusable) or dropped on
 * the zone; each listed with a button to remove it. The files stay browser File objects: they
 * are read piece by piece when uploaded, never whole, never to a temp file.
 */
export function FileDropField({
  label,
  hint,
  files,
  onChange,
  error,
  testId,
}: {
  label: string;
  hint: string;
  files: readonly File[];
  onChange: (files: File[]) => void;
  error?: string | null;
  testId: string;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [over, setOver] = useState(false);
  const add = (more: FileList | null) => {
    if (!more || more.length === 0) return;
    onChange([...files, ...Array.from(more)]);
  };
  const drop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    add(e.dataTransfer.files);
  };
  return (
    <div
      className={`field drop-zone${over ? ' is-over' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={drop}
      data-testid={`${testId}-zone`}
    >
      <label htmlFor={id}>{label}</label>
      <div id={`${id}-hint`} className="field-hint">
        {hint}
      </div>
      <input
        id={id}
        type="file"
        multiple
        aria-describedby={`${id}-hint`}
        aria-invalid={error ? true : undefined}
        onChange={(e) => {
          add(e.target.files);
          e.target.value = '';
        }}
        data-testid={testId}
      />
      <p className="drop-zone-label" aria-hidden="true">
        {t('documents.dropZone')}
      </p>
      {files.length > 0 && (
        <>
          <p className="muted" aria-live="polite">
            {t('documents.chosenFiles', { count: files.length })}
          </p>
          <ul className="plain-list chosen-files">
            {files.map((f, i) => (
              <li key={`${f.name}-${i}`}>
                {f.name}{' '}
                <button
                  type="button"
                  className="link-button"
                  onClick={() => onChange(files.filter((_, j) => j !== i))}
                >
                  {t('documents.removeFile', { name: f.name })}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      {error && (
        <div className="field-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
