import { PDFRef, type PDFObject } from 'pdf-lib';
import type { Revision } from '../pdf/pdf-revisions';
import { sameValue } from '../pdf/pdf-values';
import type { XrefEntry } from '../pdf/pdf-xref';
import type { Finding } from '../../sandbox-protocol';

/**
 * Which objects differ between a signed revision and a later one. Every object number whose
 * cross-reference entry differs is compared by value, so an update that only re-points an
 * entry (to a shadow copy hidden in the signed bytes) counts as a change, and a re-saved
 * identical object does not.
 */

export interface ObjectChange {
  /** The signed revision's value (undefined: the object did not exist there). */
  readonly old: PDFObject | undefined;
  /** The later revision's value (undefined: the object is gone). */
  readonly new: PDFObject | undefined;
}

export interface ObjectDiff {
  /** Objects of the signed revision whose value changed (or that are gone). */
  readonly changed: ReadonlyMap<number, ObjectChange>;
  /** Object numbers that are null in the signed revision and defined later. */
  readonly added: ReadonlySet<number>;
  readonly findings: Finding[];
}

const sameEntry = (a: XrefEntry | undefined, b: XrefEntry | undefined): boolean => {
  if (a === b) return true;
  if (!a || !b || a.type !== b.type) return false;
  if (a.type === 'offset' && b.type === 'offset') return a.offset === b.offset && a.gen === b.gen;
  if (a.type === 'compressed' && b.type === 'compressed') return a.stream === b.stream && a.index === b.index;
  return a.type === 'free';
};

export function diffObjects(rs: Revision, rf: Revision): ObjectDiff {
  const findings: Finding[] = [];
  // The later chain must be the signed chain with newer sections in front, all after the signed bytes.
  const k = rf.chain.length - rs.chain.length;
  const continues = k >= 0 && rs.chain.every((s, i) => rf.chain[k + i] === s);
  const newer = continues ? rf.chain.slice(0, k) : [];
  if (!continues)
    findings.push({
      kind: 'structure',
      pages: [],
      note: 'the later cross-reference does not continue the signed one',
    });
  else if (newer.some((s) => s.offset < rs.end))
    findings.push({
      kind: 'structure',
      pages: [],
      note: 'a later cross-reference section lies inside the signed bytes',
    });

  const candidates = new Set<number>();
  if (continues) for (const s of newer) for (const n of s.entries.keys()) candidates.add(n);
  else for (const m of [rs.entries(), rf.entries()]) for (const n of m.keys()) candidates.add(n);

  const changed = new Map<number, ObjectChange>();
  const added = new Set<number>();
  for (const num of candidates) {
    const es = rs.entry(num);
    const ef = rf.entry(num);
    if (sameEntry(es, ef)) continue;
    // References in the signed revision carry its generation: look the later value up with it.
    const gen = es?.type === 'offset' ? es.gen : 0;
    const ref = PDFRef.of(num, gen);
    const oldValue = es && es.type !== 'free' ? rs.lookup(ref) : undefined;
    const newValue = rf.lookup(oldValue === undefined ? num : ref);
    if (oldValue === undefined) {
      if (newValue !== undefined) added.add(num);
      continue;
    }
    if (!sameValue(oldValue, newValue)) changed.set(num, { old: oldValue, new: newValue });
  }
  return { changed, added, findings };
}
