/** An RFC 9457 problem document, as every error leaves both APIs (`application/problem+json`). */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  /** Present on validation problems: one entry per invalid field. */
  errors?: FieldError[];
  [extension: string]: unknown;
}

export interface FieldError {
  /** Dotted path of the field in the request (`config.port`, `lineItems.0.quantity`). */
  field: string;
  message: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Base of our problem type URIs; the documents behind them are in the README. */
export const PROBLEM_TYPE_BASE = 'https://analytics-engine.dev/problems/';

export function problemType(code: string): string {
  return `${PROBLEM_TYPE_BASE}${code}`;
}
