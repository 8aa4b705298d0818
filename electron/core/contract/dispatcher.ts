import type { z } from 'zod';
import {
  contract,
  CoreError,
  ErrorCode,
  err,
  isCallName,
  ok,
  transportRefusal,
  type CallName,
  type Contract,
  type CallOutput,
  type Result,
} from '../../../shared/contract';

/**
 * Which transport a call came through. `shared/contract/call-access.ts` says which calls each
 * may send; 'direct' is in-process code (tests, benchmarks) and is trusted like the CLI.
 */
export type Transport = 'ipc' | 'bridge' | 'cli' | 'direct';

export interface CallContext {
  readonly transport: Transport;
}

/** The input after its schema parsed it (defaults applied, unknown fields refused). */
export type ParsedInput<N extends CallName> = z.output<Contract[N]['input']>;

/** A call's implementation: receives only input that passed the schema. */
export type Handler<N extends CallName> = (input: ParsedInput<N>, ctx: CallContext) => Promise<CallOutput<N>>;

/** One handler per call: the table every transport serves. */
export type HandlerTable = { readonly [N in CallName]: Handler<N> };

export type Dispatch = (name: unknown, input: unknown, ctx: CallContext) => Promise<Result<unknown>>;

/** Called with the code of every refused or failed call; never with the payload. */
export type DispatchObserver = (event: { call: string; code: ErrorCode; cause?: unknown }) => void;

const MAX_REPORTED_NAME = 64;

/**
 * Builds the single entry point all transports use. Order matters and is the security
 * property: the name is checked against the contract, then the transport against the call's
 * declared transports (a path-taking call or form from IPC or the bridge stops here, before
 * its input is even parsed), then the input against the call's schema, and only then does
 * the handler run; its output is checked against the output
 * schema before it leaves. Any exception that is not a CoreError becomes E_INTERNAL with a
 * generic message, so no internal detail crosses the boundary.
 */
export function createDispatcher(handlers: HandlerTable, observe?: DispatchObserver): Dispatch {
  return async (name, input, ctx) => {
    const shownName = typeof name === 'string' ? name.slice(0, MAX_REPORTED_NAME) : typeof name;
    if (!isCallName(name)) {
      observe?.({ call: shownName, code: ErrorCode.UnknownCall });
      return err(ErrorCode.UnknownCall, `unknown call: ${JSON.stringify(shownName)}`);
    }
    const refusal = transportRefusal(name, ctx.transport, input);
    if (refusal !== null) {
      observe?.({ call: name, code: ErrorCode.ForbiddenTransport });
      return err(ErrorCode.ForbiddenTransport, refusal);
    }
    const spec = contract[name];
    const parsed = spec.input.safeParse(input);
    if (!parsed.success) {
      observe?.({ call: name, code: ErrorCode.InvalidInput });
      return err(ErrorCode.InvalidInput, describeIssues(name, parsed.error.issues));
    }
    // Again on what the schema let through, so no parsing quirk can turn one form into another.
    if (transportRefusal(name, ctx.transport, parsed.data) !== null) {
      observe?.({ call: name, code: ErrorCode.ForbiddenTransport });
      return err(ErrorCode.ForbiddenTransport, `${name}: this form is for the command line only`);
    }
    let value: unknown;
    try {
      const handler = handlers[name] as (input: unknown, ctx: CallContext) => Promise<unknown>;
      value = await handler(parsed.data, ctx);
    } catch (cause) {
      if (cause instanceof CoreError) {
        observe?.({ call: name, code: cause.code });
        return err(cause.code, cause.message);
      }
      observe?.({ call: name, code: ErrorCode.Internal, cause });
      return err(ErrorCode.Internal, `${name} failed`);
    }
    const checked = spec.output.safeParse(value);
    if (!checked.success) {
      observe?.({ call: name, code: ErrorCode.Internal, cause: checked.error });
      return err(ErrorCode.Internal, `${name} produced an invalid answer`);
    }
    return ok(checked.data);
  };
}

/** Paths and issue codes only: never echo the offending value back (it may be huge or secret). */
function describeIssues(
  name: string,
  issues: readonly { path: readonly PropertyKey[]; code: string }[],
): string {
  const parts = issues.slice(0, 5).map((i) => `${i.path.map(String).join('.') || '(input)'}: ${i.code}`);
  const more = issues.length > 5 ? ` (+${issues.length - 5} more)` : '';
  return `invalid input for ${name}: ${parts.join('; ')}${more}`;
}
