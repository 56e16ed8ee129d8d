import { parseJson } from '@analytics/json';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** The secret map could not be opened: wrong key, wrong context, or tampered ciphertext. */
export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

/**
 * Encrypts connector secrets with AES-256-GCM (authenticated): a random 12-byte IV per sealing,
 * the 16-byte auth tag, and an optional context (the profile id) bound as additional
 * authenticated data, so a ciphertext copied to another profile does not open.
 *
 * Sealed format (versioned, for key or algorithm changes): `v1:<iv b64>:<tag b64>:<ciphertext b64>`.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new SecretBoxError(`The key must be ${KEY_BYTES} bytes, not ${key.length}`);
    this.key = Buffer.from(key);
  }

  seal(plaintext: string, context = ''): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, iv.toString('base64'), tag.toString('base64'), ciphertext.toString('base64')].join(':');
  }

  open(sealed: string, context = ''): string {
    const parts = sealed.split(':');
    if (parts.length !== 4 || parts[0] !== VERSION) throw new SecretBoxError('Unknown sealed secrets format');
    const [, iv, tag, ciphertext] = parts.map((part) => Buffer.from(part, 'base64'));
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretBoxError('Malformed sealed secrets');
    try {
      const decipher = createDecipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      // Never say more: the reason could help an attacker, and the key must not reach a log.
      throw new SecretBoxError('The sealed secrets do not open with this key and context');
    }
  }

  /** A secret map (name -> value) as one sealed string, bound to `context`. */
  sealMap(secrets: Record<string, string>, context: string): string {
    return this.seal(JSON.stringify(secrets), context);
  }

  openMap(sealed: string, context: string): Record<string, string> {
    return parseJson(this.open(sealed, context)) as Record<string, string>;
  }
}
