import type { RelayStore } from '../storage/relay-store';
import type { AbuseGuards } from './abuse-guards';
import type { AuthSessions } from './auth-sessions';
import type { TrustedCa } from './enrolment-certification';
import type { HqIdentity } from './hq-identity';
import type { PushHub } from './push-hub';
import type { RelayLimits } from './relay-limits';
import type { Sodium } from './sodium';

/**
 * What every route handler of one running relay shares: the store, the HQ identity, the
 * limits, the in-memory sessions and the push hub. Built once by `startRelay`; the handlers
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
  readonly auth: AuthSessions;
  readonly push: PushHub;
  /** Request budgets and connection caps. */
  readonly guards: AbuseGuards;
}
