import type { SelectHTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { CLASSIFICATIONS, type Classification } from '../../../shared/domain/classification';
import { SelectField } from './field';

type SelectProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, 'value' | 'onChange' | 'children'>;

/** A marking to choose: a document's (add and edit forms) or a message's (compose, drafts). */
export function ClassificationField({
  value,
  onChange,
  ...select
}: SelectProps & { value: Classification; onChange: (marking: Classification) => void }) {
  const { t } = useTranslation();
  return (
    <SelectField
      label={t('documents.col.classification')}
      value={value}
      onChange={(e) => onChange(e.target.value as Classification)}
      {...select}
    >
      {CLASSIFICATIONS.map((c) => (
        <option key={c} value={c}>
          {t(`classification.${c}`)}
        </option>
      ))}
    </SelectField>
  );
}
