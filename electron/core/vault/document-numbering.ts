import type { Direction } from '../../../shared/domain/document';
import { formatRegistryNumber, type DocumentKind } from '../../../shared/domain/document-kinds';
import type { Db } from './repository-rows';

/** A number allocated in a register: stored in its columns, shown as `registryNumber`. */
export interface AllocatedNumber {
  number: number;
  year: number;
  registryNumber: string;
}

/**
 * Numbers per register (the direction) and year: 1, 2, 3… in each, whatever the kind (the
 * kind's code only ends the registry number, `12/2026/NV`). Called inside the transaction that
 * inserts the document: the vault worker is the database's one writer and runs one request at
 * a time, so max + 1 cannot be taken twice; the unique index `documents_by_number` would refuse
 * a duplicate anyway.
 */
export function createDocumentNumbering(db: Db) {
  const highest = db
    .prepare('SELECT max(number) FROM documents WHERE direction = ? AND number_year = ?')
    .pluck();
  return {
    allocate(direction: Direction, date: string, kind: DocumentKind): AllocatedNumber {
      if (!db.inTransaction) throw new Error('numbers are allocated inside the insert transaction');
      const year = yearOf(date);
      const number = ((highest.get(direction, year) as number | null) ?? 0) + 1;
      return { number, year, registryNumber: formatRegistryNumber(number, year, kind) };
    },
  };
}

/** The year of an ISO date (or date-time); the current year when it has none. */
export function yearOf(date: string): number {
  const year = Number(date.slice(0, 4));
  return Number.isInteger(year) && year > 0 ? year : new Date().getUTCFullYear();
}
