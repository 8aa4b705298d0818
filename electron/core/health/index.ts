/** Health of the core's parts, as `app.health` reports it. */
export { readHealth, type RuntimeInfo } from './health';
