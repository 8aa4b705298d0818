import { CoreError, ErrorCode } from '../../../../shared/contract/errors';
import type { SyncStoreContext } from './store-context';

/** A registration in the incoming register: its number as shown, and when it was made. */
export interface Registration {
  readonly number: string;
  readonly at: number;
}

/** `n/YYYY/ĐẾN`: the register's own form of a number. */
const OWN_FORM = /^(\d{1,9})\/(\d{4})\/ĐẾN$/u;

/**
 * The incoming register (`document_registrations`): every registration of an incoming document,
 * received through sync or entered by hand, numbered once per year (`n/YYYY/ĐẾN`). A number the
 * officer types instead is kept as typed; in the register's own form it also moves the year's
 * sequence on. No number is given twice.
 */
export function registrationOf(ctx: SyncStoreContext, documentId: string): Registration | undefined {
  const row = ctx.db
    .prepare('SELECT registration_number, registered_at FROM document_registrations WHERE document_id = ?')
    .get(documentId) as { registration_number: string; registered_at: number } | undefined;
  return row ? { number: row.registration_number, at: row.registered_at } : undefined;
}

/** Records a registration (in the caller's transaction): the next number, or the typed one. */
export function register(
  ctx: SyncStoreContext,
  documentId: string,
  now: number,
  typed: string | undefined,
): Registration {
  const year = new Date(now).getUTCFullYear();
  let number: number | null;
  let text: string;
  if (typed === undefined) {
    const highest = ctx.db
      .prepare('SELECT max(number) FROM document_registrations WHERE year = ?')
      .pluck()
      .get(year) as number | null;
    number = (highest ?? 0) + 1;
    text = `${number}/${year}/ĐẾN`;
  } else {
    const own = OWN_FORM.exec(typed);
    number = own && Number(own[2]) === year ? Number(own[1]) : null;
    text = typed;
  }
  const taken = ctx.db
    .prepare(
      `SELECT 1 FROM document_registrations
       WHERE registration_number = ? OR (year = ? AND number IS NOT NULL AND number = ?)`,
    )
    .get(text, year, number);
  if (taken) throw new CoreError(ErrorCode.InvalidInput, `registration number ${text} is taken`);
  ctx.db
    .prepare(
      `INSERT INTO document_registrations (document_id, year, number, registration_number, registered_at)
       VALUES (?, ?, ?, ?, ?)`,
    )
    .run(documentId, year, number, text, now);
  return { number: text, at: now };
}
