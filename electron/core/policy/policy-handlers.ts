import type { HandlerTable } from '../contract';
import type { PolicyService } from './policy-service';

/** `policy.get` and `policy.import`: the contract's face of the policy service. */
export function createPolicyHandlers(
  policy: PolicyService,
): Pick<HandlerTable, 'policy.get' | 'policy.import'> {
  return {
    'policy.get': () => policy.status(),
    'policy.import': (input) => policy.import(input.document),
  };
}
