import { createHmac, createSecretKey, hkdfSync, KeyObject } from 'node:crypto';

/** What an idempotent request is compared on: the same key with another request is refused. */
export interface FingerprintedRequest {
  method: string;
  path: string;
  body: unknown;
}

/**
 * HMAC-SHA256 of method, path and body, under a key derived from the secrets key. A plain hash
 * would do for comparing, but request bodies can carry connector secrets, and a stored unkeyed
 * hash of a weak password could be brute-forced offline.
 */
export class RequestFingerprint {
  /** A KeyObject made once: createHmac with a Buffer makes one on every call. */
  private readonly key: KeyObject;

  constructor(secretsKey: Buffer) {
    this.key = createSecretKey(
      Buffer.from(hkdfSync('sha256', secretsKey, Buffer.alloc(0), 'analytics-engine/idempotency', 32)),
    );
  }

  of({ method, path, body }: FingerprintedRequest): string {
    return createHmac('sha256', this.key)
      .update(`${method} ${path}\n${JSON.stringify(body ?? null)}`)
      .digest('hex');
  }
}
