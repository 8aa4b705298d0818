import { PDFRef, type PDFObject } from 'pdf-lib';
import type { Revision } from '../pdf/pdf-revisions';
import { fieldsOf, pagesOf, type FieldInfo, type PageInfo, type StringReader } from '../pdf/pdf-structure';
import type { ChangeKind, Finding } from '../../sandbox-protocol';
import type { ObjectChange } from './object-diff';

/**
 * The state one comparison of a signed revision with a later one shares between its rules:
 * the changed objects, the findings so far, and which changed objects a rule has explained.
 */
export class DiffContext {
  readonly findings: Finding[] = [];
  /** Changed objects whose change a rule examined in full. */
  readonly handled = new Set<number>();
  /**
   * Changed objects a rule allowed in a role that must not also draw page content (an
   * appearance stream, validation data): checked against the pages' content afterwards.
   */
  readonly soft = new Map<number, ChangeKind>();
  /** Set when optional-content visibility changed: the groups involved. */
  ocgGroups: ReadonlySet<number> | undefined;
  private cache: { pagesS?: PageInfo[]; pagesF?: PageInfo[]; fieldsS?: FieldInfo[]; fieldsF?: FieldInfo[] } =
    {};

  constructor(
    readonly rs: Revision,
    readonly rf: Revision,
    readonly changed: ReadonlyMap<number, ObjectChange>,
    readonly added: ReadonlySet<number>,
    readonly strings: StringReader | undefined,
  ) {}

  get pagesS(): PageInfo[] {
    return (this.cache.pagesS ??= pagesOf(this.rs));
  }
  get pagesF(): PageInfo[] {
    return (this.cache.pagesF ??= pagesOf(this.rf));
  }
  get fieldsS(): FieldInfo[] {
    return (this.cache.fieldsS ??= fieldsOf(this.rs, this.strings));
  }
  get fieldsF(): FieldInfo[] {
    return (this.cache.fieldsF ??= fieldsOf(this.rf, this.strings));
  }

  find(kind: ChangeKind, note: string, pages: readonly number[] = []): void {
    this.findings.push({ kind, note, pages: [...new Set(pages)].sort((a, b) => a - b) });
  }

  /** Whether an object existed in the signed revision and is different (or gone) now. */
  isChanged(ref: PDFObject | undefined): ref is PDFRef {
    return isRef(ref) && this.changed.has(ref.objectNumber);
  }

  /** Whether a reference names an object that is new since the signed revision. */
  isNew(ref: PDFObject | undefined): boolean {
    return isRef(ref) && !this.changed.has(ref.objectNumber) && this.rs.lookup(ref) === undefined;
  }

  handle(...refs: (PDFObject | number | undefined)[]): void {
    for (const r of refs) {
      const num = typeof r === 'number' ? r : isRef(r) ? r.objectNumber : undefined;
      if (num !== undefined && this.changed.has(num)) this.handled.add(num);
    }
  }
}

const isRef = (o: unknown): o is PDFRef => o instanceof PDFRef;
