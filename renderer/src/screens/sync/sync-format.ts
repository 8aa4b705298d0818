import { isErrorCode } from '../../../../shared/contract/errors';
import type { DirectoryOfficer } from '../../../../shared/contract/sync-calls';
import type { z } from 'zod';

/**
 * What the sync screens show, as pure functions (tested without a DOM): localized times and
 * sizes, the device id read over the phone, the enrolment fields' checks, recipient search.
 */

export type Officer = z.infer<typeof DirectoryOfficer>;

/** The locale Intl formats with for the interface language. */
export function localeOf(language: string): string {
  return language === 'vi' ? 'vi-VN' : 'en-GB';
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** "2 minutes ago" / "2 phút trước"; under a minute, "now" / "bây giờ". */
export function relativeTime(at: number, now: number, language: string): string {
  const rtf = new Intl.RelativeTimeFormat(localeOf(language), { numeric: 'auto' });
  const elapsed = Math.max(0, now - at);
  for (const [unit, ms] of UNITS) {
    if (elapsed >= ms) return rtf.format(-Math.floor(elapsed / ms), unit);
  }
  return rtf.format(0, 'second');
}

/** Bytes in binary units with the language's digits and separators (1,5 MB / 1.5 MB). */
export function formatBytes(bytes: number, language: string): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const nf = new Intl.NumberFormat(localeOf(language), { maximumFractionDigits: unit === 0 ? 0 : 1 });
  return `${nf.format(value)} ${units[unit]}`;
}

export function formatCount(n: number, language: string): string {
  return new Intl.NumberFormat(localeOf(language)).format(n);
}

/** A hex id in groups of four, for reading over the phone to HQ IT. */
export function groupHex(id: string): string[] {
  return id.match(/.{1,4}/g) ?? [];
}

/** The translation key of an error code from the core, known or not. */
export function errorKey(code: string): string {
  return `errors.${isErrorCode(code) ? code : 'E_INTERNAL'}`;
}

/** The same rule as the contract's `hqUrl`: https, a host name, an optional port, nothing else. */
const HQ_URL = /^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?\/?$/;

export type HqUrlProblem = 'empty' | 'not-https' | 'format';

export function hqUrlProblem(value: string): HqUrlProblem | null {
  const v = value.trim();
  if (!v) return 'empty';
  if (!/^https:\/\//i.test(v)) return 'not-https';
  return HQ_URL.test(v) ? null : 'format';
}

/** As the contract reads it: colons and spaces dropped, lower case. */
export function normalizeFingerprint(value: string): string {
  return value.replace(/[:\s]/g, '').toLowerCase();
}

export type FingerprintCheck =
  | { problem: null; digits: 64 }
  | { problem: 'characters'; bad: string }
  | { problem: 'short' | 'long'; digits: number };

/** SHA-256 as `embassy hq serve` prints it: 64 hex digits, colons allowed. */
export function checkFingerprint(value: string): FingerprintCheck {
  const bad = value.replace(/[0-9a-fA-F:\s]/g, '');
  if (bad) return { problem: 'characters', bad: [...new Set(bad)].join(' ') };
  const digits = normalizeFingerprint(value).length;
  if (digits < 64) return { problem: 'short', digits };
  if (digits > 64) return { problem: 'long', digits };
  return { problem: null, digits: 64 };
}

/** Why a recipient cannot be picked, or null when something sent now can be opened. */
export type Unreachable = 'no-device' | 'revoked' | 'no-keys';

export function unreachableReason(officer: Officer): Unreachable | null {
  if (officer.reachable) return null;
  const approved = officer.devices.filter((d) => d.status === 'approved');
  if (officer.devices.length === 0) return 'no-device';
  if (approved.length === 0) return 'revoked';
  return 'no-keys';
}

/**
 * The directory without the officer themself: HQ lists everyone, and a document sent to one's
 * own address would only come back to this workstation. Addresses compare case-insensitively
 * (the relay lowercases them; `me` is the status's `address`, absent before enrolment).
 */
export function otherOfficers(officers: readonly Officer[], me: string | undefined): Officer[] {
  if (!me) return [...officers];
  const mine = me.toLowerCase();
  return officers.filter((o) => o.address.toLowerCase() !== mine);
}

/** The name of a "Name <address>" party (as received items are stored); the text otherwise. */
export function senderName(from: string): string {
  const m = /^(.+?)\s*<[^<>]+>$/.exec(from);
  return m?.[1] ?? from;
}

/** Lower case, Vietnamese diacritics and đ folded: "nguyen" finds "Nguyễn". */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
}

/** Officers whose name, address or department contain every word of the query. */
export function filterOfficers(officers: readonly Officer[], query: string): Officer[] {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...officers];
  return officers.filter((o) => {
    const hay = fold(`${o.name} ${o.address} ${o.department}`);
    return words.every((w) => hay.includes(w));
  });
}
