/**
 * Replay protection for envelopes (pure; the sync engine keeps the state in the vault).
 *
 * Each sender numbers its envelopes 1, 2, 3, … (`seq`, signed in the envelope header). They
 * may arrive out of order — many devices, retries, a relay cursor — so per sender we keep the
 * highest seq accepted and the set of seqs accepted within the last `window` below it. An
 * envelope is a replay if its seq is already in that set or too old to be judged
 * (`seq <= highestSeq - window`): fail closed, an old envelope the window no longer covers is
 * refused rather than risk accepting it twice.
 */

export interface SeenState {
  highestSeq: number;
  /** Every accepted seq in (highestSeq - window, highestSeq]. */
  recent: ReadonlySet<number>;
}

export const DEFAULT_REPLAY_WINDOW = 4096;

export function replayVerdict(
  seen: { highestSeq: number; recent: ReadonlySet<number> } | undefined,
  seq: number,
  window = DEFAULT_REPLAY_WINDOW,
): 'new' | 'replay' {
  if (!Number.isSafeInteger(seq) || seq < 1) return 'replay';
  if (!seen) return 'new';
  if (seq <= seen.highestSeq - window) return 'replay';
  if (seen.recent.has(seq)) return 'replay';
  return 'new';
}

/**
 * The state after accepting `seq` (whose verdict was 'new'): seqs that fell out of the window
 * are dropped from `recent`, so it never holds more than `window` entries.
 */
export function recordSeen(
  seen: SeenState | undefined,
  seq: number,
  window = DEFAULT_REPLAY_WINDOW,
): SeenState {
  if (replayVerdict(seen, seq, window) !== 'new') throw new Error('recordSeen: seq is a replay');
  const highestSeq = Math.max(seen?.highestSeq ?? 0, seq);
  const recent = new Set<number>();
  for (const s of seen?.recent ?? []) if (s > highestSeq - window) recent.add(s);
  recent.add(seq);
  return { highestSeq, recent };
}
