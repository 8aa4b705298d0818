import type { Direction, DocumentStatus } from './document';

/**
 * The processing workflow: which status may follow which, by who moves it. One table, read by
 * the vault (which refuses anything else with E_TRANSITION_REFUSED) and by the UI (which offers
 * only these). Pure data.
 *
 * - `officer`: a button in the document view (`documents.transition`). Approval
 *   (in-review → approved) additionally needs the approver's signature on the version.
 * - `signing`: the signing job after the signed copy is stored. Signing on the token is the
 *   signer's own approval, so a draft or a document in review may be signed directly.
 * - `sending`: the outbox, when a document is queued to its recipients: the send is a fact the
 *   workflow records, whatever the status before (a sent document stays sent).
 * - `receipt`: the recipient's signed acknowledgement of receipt arrived.
 */
export const TRANSITION_CAUSES = ['officer', 'signing', 'sending', 'receipt'] as const;
export type TransitionCause = (typeof TRANSITION_CAUSES)[number];

type Edges = { readonly [S in DocumentStatus]?: readonly DocumentStatus[] };

const OFFICER_OUTGOING: Edges = {
  draft: ['in-review'],
  'in-review': ['approved', 'draft'],
  // Back to draft: an approved version that must change is reviewed (and approved) again.
  approved: ['draft'],
};
const OFFICER_INCOMING: Edges = {
  received: ['registered'],
  registered: ['being-handled', 'done'],
  'being-handled': ['done'],
  done: ['being-handled'],
};
const SIGNING: Edges = {
  draft: ['signed'],
  'in-review': ['signed'],
  approved: ['signed'],
};
const SENDING: Edges = { draft: ['sent'], 'in-review': ['sent'], approved: ['sent'], signed: ['sent'] };
const RECEIPT: Edges = { sent: ['acknowledged'] };

function edges(direction: Direction, cause: TransitionCause): Edges {
  if (direction === 'incoming') return cause === 'officer' ? OFFICER_INCOMING : {};
  switch (cause) {
    case 'officer':
      return OFFICER_OUTGOING;
    case 'signing':
      return SIGNING;
    case 'sending':
      return SENDING;
    case 'receipt':
      return RECEIPT;
  }
}

/** The statuses a document may move to from `from`, for this cause. */
export function nextStatuses(
  direction: Direction,
  from: DocumentStatus,
  cause: TransitionCause = 'officer',
): readonly DocumentStatus[] {
  return edges(direction, cause)[from] ?? [];
}

/** Whether `from → to` is allowed for this direction and cause. */
export function canTransition(
  direction: Direction,
  from: DocumentStatus,
  to: DocumentStatus,
  cause: TransitionCause = 'officer',
): boolean {
  return nextStatuses(direction, from, cause).includes(to);
}

/**
 * Whether the metadata and text may still change: an outgoing or internal document once
 * approved or later is what was approved and signed (move it back to draft first). An incoming
 * one stays editable: the officer records its registration details and corrections.
 */
export function isEditable(direction: Direction, status: DocumentStatus): boolean {
  return direction === 'incoming' || status === 'draft' || status === 'in-review';
}
