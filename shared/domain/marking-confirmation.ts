import { classificationRank, type Classification } from './classification';

/**
 * Which markings may leave the workstation (sent to HQ, saved to a file, printed) only after
 * the officer confirmed a dialog that names the marking: Secret and above. One rule, read by
 * the core (which refuses) and by the renderer (which asks).
 */
export function needsMarkingConfirmation(marking: Classification): boolean {
  return classificationRank(marking) >= classificationRank('secret');
}

/**
 * True when an item of `marking` may leave with what the caller confirmed: nothing to confirm,
 * or a confirmation naming exactly this marking (a confirmation of a lower marking, or of a
 * higher one, is not a confirmation of this item: the dialog must have named the right one).
 */
export function markingConfirmed(marking: Classification, confirmed: Classification | undefined): boolean {
  return !needsMarkingConfirmation(marking) || confirmed === marking;
}
