import { FingerprintedRequest } from '../secrets/request-fingerprint';

/** Who asked for a command and on what basis (from the HTTP request). */
export interface CommandContext {
  /** From `If-Match`; undefined: decide on the current version (still safe against races). */
  expectedVersion?: number;
  correlationId: string;
  causationId: string | null;
  /** From `Idempotency-Key`: the key, and the request a repeat must match. */
  idempotency?: { key: string; request: FingerprintedRequest };
}

/** What an accepted command answers (contract). */
export interface CommandResult {
  id: string;
  version: number;
  position: string;
}

/** A command's result, and whether it is the stored answer to an earlier identical request. */
export interface CommandOutcome {
  result: CommandResult;
  replayed: boolean;
}
