/**
 * The command side's error taxonomy. Business code throws these; the HTTP edge maps them to
 * problem responses (DomainErrorFilter). `code` is stable and becomes the problem `type`.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  abstract readonly status: 404 | 409 | 422;
  /** Extension members for the problem document. */
  readonly details: Record<string, unknown> = {};
}

export class NotFoundError extends DomainError {
  readonly code = 'not-found';
  readonly status = 404;
}

/** The request was based on a version that is no longer current. */
export class VersionConflictError extends DomainError {
  readonly code = 'version-conflict';
  readonly status = 409;

  constructor(
    message: string,
    readonly currentVersion: number,
  ) {
    super(message);
    this.details.currentVersion = currentVersion;
  }
}

/** A business rule forbids the command in the current state (e.g. changing an archived client). */
export class RuleViolationError extends DomainError {
  readonly status = 409;

  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The command is well-formed but its content is not acceptable (e.g. settings too large after a patch). */
export class UnprocessableError extends DomainError {
  readonly status = 422;

  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
