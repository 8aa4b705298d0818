import { reason, type Reason } from '../verdict';
import {
  KIND_TEXT,
  permits,
  VISIBLE,
  type ChangeKind,
  type Finding,
  type Permission,
} from './modification-kinds';

/**
 * A signature's reasons from the analysis of the revisions after it: changes that alter what
 * its pages showed make it invalid (naming the pages); other changes no rule allows make it
 * indeterminate — or invalid for a certification signature, whose permission they break;
 * allowed changes are an `info` note.
 */
export function modificationReasons(
  findings: readonly Finding[],
  permission: Permission,
  certification: boolean,
): Reason[] {
  const disallowed = findings.filter((f) => !permits(permission, f.kind));
  const visible = disallowed.filter((f) => VISIBLE.has(f.kind) && f.pages.length > 0);
  const rest = disallowed.filter((f) => !visible.includes(f));
  const out: Reason[] = [];
  if (visible.length > 0) {
    const pages = [...new Set(visible.flatMap((f) => f.pages))].sort((a, b) => a - b);
    out.push(reason('MODIFIED_CONTENT', { pages, what: kindsText(visible) }));
  }
  if (rest.length > 0)
    out.push(
      reason(certification ? 'CERTIFICATION_VIOLATED' : 'MODIFIED_AFTER_SIGNING', { what: kindsText(rest) }),
    );
  if (disallowed.length === 0 && findings.length > 0)
    out.push(reason('LATER_CHANGES_ALLOWED', { what: kindsText(findings) }));
  return out;
}

function kindsText(findings: readonly Finding[]): { en: string; vi: string } {
  const kinds = [...new Set(findings.map((f) => f.kind))] as ChangeKind[];
  return {
    en: kinds.map((k) => KIND_TEXT[k].en).join(', '),
    vi: kinds.map((k) => KIND_TEXT[k].vi).join(', '),
  };
}
