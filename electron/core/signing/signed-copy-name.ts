/**
 * The name of a document's signed copy: the source PDF's name with the document's version and
 * `.signed.pdf` (`note.pdf`, version 2 → `note.v2.signed.pdf`), never one an attachment of the
 * document already has (signing version 2 again → `note.v2-2.signed.pdf`). The source may
 * itself be a signed copy: its version and `.signed` are dropped first.
 */
export function signedCopyName(source: string, version: number, taken: readonly string[]): string {
  const base = source
    .replace(/\.pdf$/i, '')
    .replace(/\.signed$/i, '')
    .replace(/(-\d+)?$/, '')
    .replace(/\.v\d+$/i, '');
  const lower = new Set(taken.map((n) => n.toLowerCase()));
  for (let n = 1; ; n++) {
    const name = `${base || 'document'}.v${version}${n === 1 ? '' : `-${n}`}.signed.pdf`;
    if (!lower.has(name.toLowerCase())) return name;
  }
}

/**
 * The name of a later stage of a signed copy, stored beside the copy it grew from: its signature
 * timestamp added later (`note.v2.signed.pdf` → `note.v2.signed.timestamped.pdf`) or its
 * long-term validation data (→ `note.v2.signed.lt.pdf`, also from a timestamped copy); never a
 * name the document already has.
 */
export function laterCopyName(source: string, stage: 'timestamped' | 'lt', taken: readonly string[]): string {
  const stem = source.replace(/\.pdf$/i, '').replace(/(\.timestamped|\.lt)(-\d+)?$/i, '');
  const lower = new Set(taken.map((n) => n.toLowerCase()));
  for (let n = 1; ; n++) {
    const name = `${stem}.${stage}${n === 1 ? '' : `-${n}`}.pdf`;
    if (!lower.has(name.toLowerCase())) return name;
  }
}
