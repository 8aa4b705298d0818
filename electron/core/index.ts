export { createCore, type Core, type CoreOptions } from './core';
export type { CallContext, Dispatch, Transport } from './contract/dispatcher';
export { defaultProfileDir } from './profile/profile-dir';
