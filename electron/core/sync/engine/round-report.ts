import type { ContractError } from '../../../../shared/contract/errors';

/** What one round did (for `embassy sync --once --json`). */
export interface RoundReport {
  sent: number;
  received: number;
  rejected: number;
  duplicates: number;
  pending: number;
  failed: number;
  errors: ContractError[];
}

export function newRoundReport(): RoundReport {
  return { sent: 0, received: 0, rejected: 0, duplicates: 0, pending: 0, failed: 0, errors: [] };
}
