/** IT's signed policy on the workstation: verified import, the state in force, what it allows. */
export {
  createPolicyService,
  type PolicyService,
  type PolicyServiceOptions,
  type PolicyTrust,
} from './policy-service';
export { createPolicyHandlers } from './policy-handlers';
export { assertDriverAllowed, driverAllowed } from './driver-allowlist';
export { policyStatePath } from './policy-state';
