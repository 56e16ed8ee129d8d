/** Who asked for a command and on what basis (from the HTTP request). */
export interface CommandContext {
  /** From `If-Match`; undefined: decide on the current version (still safe against races). */
  expectedVersion?: number;
  correlationId: string;
  causationId: string | null;
}

/** What an accepted command answers (contract). */
export interface CommandResult {
  id: string;
  version: number;
  position: string;
}
