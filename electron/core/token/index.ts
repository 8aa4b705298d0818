/** The token layer's public face: the client of the token process, its protocol types and errors. */
export {
  startTokenHost,
  defaultTokenHost,
  type SpawnHost,
  type TokenClient,
  type TokenHostOptions,
  type TokenSession,
} from './token-client';
export { createTokenHostPool, type TokenHostPool } from './token-host-pool';
export type { SignMechanism, TokenInfo, TokenRef, TokenCertificate, TokenPublicKey } from './token-protocol';
export { TokenError, type PinTriesHint } from './token-errors';
export {
  driverModulePath,
  isKnownDriver,
  knownDrivers,
  knownModuleCandidates,
  resolveModules,
  type KnownModule,
  type TokenDriver,
} from './known-modules';
