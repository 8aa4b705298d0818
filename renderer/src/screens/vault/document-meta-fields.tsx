import type { SelectHTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { DOCUMENT_KINDS, type DocumentKind } from '../../../../shared/domain/document-kinds';
import { SelectField } from '../../components/field';

type SelectProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, 'value' | 'onChange' | 'children'>;

/** The document's kind (note verbale, cable…), as the add and edit forms ask for it. */
export function KindField({
  value,
  onChange,
  ...select
}: SelectProps & { value: DocumentKind; onChange: (kind: DocumentKind) => void }) {
  const { t } = useTranslation();
  return (
    <SelectField
      label={t('documents.col.kind')}
      value={value}
      onChange={(e) => onChange(e.target.value as DocumentKind)}
      {...select}
    >
      {DOCUMENT_KINDS.map((k) => (
        <option key={k} value={k}>
          {t(`documents.kind.${k}`)}
        </option>
      ))}
    </SelectField>
  );
}
