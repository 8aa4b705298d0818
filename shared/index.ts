export * from './contract';
export * from './domain/classification';
export * from './domain/language';
