import type { DocumentField, FieldChange } from '../../../shared/contract/vault-calls';
import type { Classification } from '../../../shared/domain/classification';
import type { Direction } from '../../../shared/domain/document';
import type { DocumentKind } from '../../../shared/domain/document-kinds';

/** A document's metadata as one version holds it (stored as JSON in `document_versions.meta`). */
export interface DocumentMeta {
  registryNumber: string;
  direction: Direction;
  kind: DocumentKind;
  date: string;
  classification: Classification;
  subject: string;
  from: string;
  to: string[];
}

/** The metadata with its keys in one fixed order (what the canonical encoding relies on). */
export function metaOf(m: DocumentMeta): DocumentMeta {
  return {
    registryNumber: m.registryNumber,
    direction: m.direction,
    kind: m.kind,
    date: m.date,
    classification: m.classification,
    subject: m.subject,
    from: m.from,
    to: [...m.to],
  };
}

/** A field's value as text, for a version's list of changes. */
function text(field: DocumentField, meta: DocumentMeta, body: string): string {
  if (field === 'body') return body;
  if (field === 'to') return meta.to.join('; ');
  return meta[field];
}

const FIELDS: readonly DocumentField[] = ['subject', 'kind', 'date', 'classification', 'from', 'to', 'body'];

/** The fields that differ between two versions, each with its value before and after. */
export function changesBetween(
  before: { meta: DocumentMeta; body: string },
  after: { meta: DocumentMeta; body: string },
): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of FIELDS) {
    const from = text(field, before.meta, before.body);
    const to = text(field, after.meta, after.body);
    if (from !== to) changes.push({ field, from, to });
  }
  return changes;
}
