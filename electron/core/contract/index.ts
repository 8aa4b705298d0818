/** The dispatcher: the one entry point every transport calls, and the handler table's types. */
export {
  createDispatcher,
  type CallContext,
  type Dispatch,
  type DispatchObserver,
  type Handler,
  type HandlerTable,
  type ParsedInput,
  type Transport,
} from './dispatcher';
