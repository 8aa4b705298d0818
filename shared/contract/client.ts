import type { CallName } from './call-names';
import type { CallInput, CallOutput } from './calls';
import type { Result } from './result';

/**
 * What every transport gives its caller: one generic, typed call. The preload exposes it as
 * `window.embassy`; the bridge client implements it over WebSocket; tests pass a fake.
 */
export interface EmbassyClient {
  call<N extends CallName>(name: N, input: CallInput<N>): Promise<Result<CallOutput<N>>>;
}
