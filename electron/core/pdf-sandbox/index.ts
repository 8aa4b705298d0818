/**
 * The PDF sandbox's public face: the client the core reads every PDF through, its launcher
 * interface and the plain data it answers. The parsers themselves (`host/`) are not exported:
 * only the sandbox's entry runs them, in its own process (lint keeps it so).
 */
export {
  createPdfSandbox,
  DEFAULT_SANDBOX_TIMEOUT_MS,
  type PdfSandbox,
  type PdfSandboxOptions,
  type PdfSandboxStats,
} from './sandbox-client';
export {
  defaultSandboxEntry,
  forkSandbox,
  type SandboxLauncher,
  type SandboxLaunchOptions,
  type SandboxProcess,
} from './sandbox-launcher';
export type {
  ChangeKind,
  Finding,
  PdfOutlook,
  PdfSignatureFacts,
  PrepareOptions,
  PreparedUpdate,
  SignatureFacts,
} from './sandbox-protocol';
