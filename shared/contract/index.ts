export * from './call-names';
export * from './calls';
export * from './client';
export * from './errors';
export * from './result';
export * from './vault-call-names';
export * from './vault-calls';
export * from './signing-calls';
