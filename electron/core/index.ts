export { createCore, type Core, type CoreOptions } from './core';
export type { CallContext, Dispatch, Transport } from './contract';
export { defaultProfileDir, ensurePrivateDirSync, PRIVATE_UMASK } from './profile';
