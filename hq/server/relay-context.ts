import type { RelayStore } from '../storage/relay-store';
import type { AbuseGuards } from './abuse-guards';
import type { SessionStore } from './auth-sessions';
import type { TrustedCa } from './enrolment-certification';
import type { HqIdentity } from './hq-identity';
import type { PushHub } from './push-hub';
import type { UploadLocks } from './relay-backend';
import type { RelayLimits } from './relay-limits';
import type { Sodium } from './sodium';
import type { TsaSigner } from './tsa-responder';

/**
 * What every route handler of one running relay shares: the store, the HQ identity, the
 * limits, the sessions, upload locks and the push hub. Built once by `startRelay`; the handlers
 * hold no state of their own beyond what their own class declares.
 */
export interface RelayContext {
  readonly store: RelayStore;
  readonly identity: HqIdentity;
  readonly sodium: Sodium;
  readonly limits: RelayLimits;
  /** One line per request and fault; never a body. */
  readonly log: (line: string) => void;
  /** CAs whose officers' devices are approved at enrolment. */
  readonly trustedCas: readonly TrustedCa[];
  /** Where `crl/` is read from at every enrolment. */
  readonly dataDir: string;
  /** The update folder served at `/v1/updates/NAME` (`hq serve --updates`, default `DATA/updates`). */
  readonly updatesDir: string;
  /** Sessions: in memory, or shared by every instance in PostgreSQL. */
  readonly auth: SessionStore;
  /** One writer per item (across instances on PostgreSQL). */
  readonly uploads: UploadLocks;
  /** Tells every instance's push sockets that mail was completed (after the commit). */
  readonly mailCompleted: (recipient: string, cursor: number) => void;
  readonly push: PushHub;
  /** Request budgets and connection caps. */
  readonly guards: AbuseGuards;
  /** HQ's time-stamping authority (`POST /v1/tsa`), when IT gave it a key and certificate. */
  readonly tsa?: TsaSigner;
}
