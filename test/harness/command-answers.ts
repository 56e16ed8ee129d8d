/** What command-api answers, as the e2e tests read it (the HTTP contract, not the apps' types). */

/** An accepted command: `{ id, version, position }`. */
export interface Accepted {
  id: string;
  version: number;
  position: string;
}

/** An application/problem+json answer (RFC 9457) with our extension members. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { field: string; message: string }[];
  currentVersion?: number;
}
