/**
 * Classification markings of the ministry's e-office, lowest to highest. The order matters:
 * it is the order of clearance checks and of the banner's severity.
 */
export const CLASSIFICATIONS = ['unclassified', 'confidential', 'secret', 'top-secret'] as const;

export type Classification = (typeof CLASSIFICATIONS)[number];

export function classificationRank(c: Classification): number {
  return CLASSIFICATIONS.indexOf(c);
}

/** The highest of these markings; Unclassified for none. */
export function highestClassification(levels: Iterable<Classification>): Classification {
  let rank = 0;
  for (const level of levels) rank = Math.max(rank, classificationRank(level));
  return CLASSIFICATIONS[rank] ?? 'unclassified';
}
