import type { MessageInfo } from '../../../../shared/contract/vault-calls';
import { highestClassification } from '../../../../shared/domain/classification';
import { MAX_MESSAGE_FILE_BYTES, MAX_MESSAGE_FILES } from '../../../../shared/domain/document';
import type { ComposeStart } from '../sync/compose-form';

/** The address in a party as sync writes it (`Name <address>`), or the party itself. */
export function addressOf(party: string): string {
  const inBrackets = /<([^<>\s]+@[^<>\s]+)>\s*$/.exec(party);
  return (inBrackets?.[1] ?? party).trim();
}

/**
 * A reply: to whoever wrote the newest message not mine (else the newest message's
 * recipients), under the thread's subject, so the sent copy lands in the same thread.
 */
export function replyStart(subject: string, messages: readonly MessageInfo[]): ComposeStart {
  const newest = [...messages].reverse();
  const theirs = newest.find((m) => m.state === 'received');
  const to = theirs ? [addressOf(theirs.from)] : (newest[0]?.to ?? []).map(addressOf);
  return {
    to: to.filter((a) => a.includes('@')),
    title: subject,
    text: '',
    // A reply is about what it answers: it starts at the thread's highest marking.
    classification: highestClassification(messages.map((m) => m.classification)),
  };
}

/** A forward: the newest message quoted, recipients chosen by the officer. */
export function forwardStart(
  subject: string,
  messages: readonly MessageInfo[],
  prefix: string,
): ComposeStart {
  const last = messages[messages.length - 1];
  const quoted = last ? `\n\n---- ${last.from} · ${last.at}\n${last.body}` : '';
  return {
    to: [],
    title: `${prefix} ${subject}`.slice(0, 512),
    text: quoted.slice(0, 100_000),
    // The quoted message travels again: at least its marking.
    classification: last?.classification ?? 'unclassified',
    // And its files, which the officer may remove before sending.
    files: last?.files ?? [],
  };
}

/** Why these files cannot go with a message, or null: too many, or one too large (named). */
export function filesProblem(
  files: readonly { name: string; size: number }[],
): { key: 'TooMany' | 'TooLarge'; name?: string } | null {
  if (files.length > MAX_MESSAGE_FILES) return { key: 'TooMany' };
  const large = files.find((f) => f.size > MAX_MESSAGE_FILE_BYTES);
  return large ? { key: 'TooLarge', name: large.name } : null;
}
