import { randomBytes } from 'node:crypto';
import { SecretBox, SecretBoxError } from './secret-box';

describe('SecretBox (AES-256-GCM)', () => {
  const box = new SecretBox(randomBytes(32));

  it('opens what it sealed, in the versioned format', () => {
    const sealed = box.seal('s3cr3t-value', 'profile-1');
    expect(sealed).toMatch(/^v1:[A-Za-z0-9+/]+=*:[A-Za-z0-9+/]+=*:[A-Za-z0-9+/]+=*$/);
    expect(sealed).not.toContain('s3cr3t');
    expect(box.open(sealed, 'profile-1')).toBe('s3cr3t-value');
  });

  it('round-trips a secret map', () => {
    const secrets = { password: 'pa:ss', token: 'üñí€ode' };
    expect(box.openMap(box.sealMap(secrets, 'id'), 'id')).toEqual(secrets);
  });

  it('seals the same secret differently every time (random IV)', () => {
    const first = box.seal('same', 'ctx');
    const second = box.seal('same', 'ctx');
    expect(first).not.toBe(second);
    expect(first.split(':')[1]).not.toBe(second.split(':')[1]);
  });

  it('refuses tampered ciphertext, tag or IV', () => {
    const [version, iv, tag, ciphertext] = box.seal('s3cr3t-value', 'ctx').split(':');
    const flip = (b64: string) => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[0] ^= 0x01;
      return bytes.toString('base64');
    };
    for (const tampered of [
      [version, iv, tag, flip(ciphertext)],
      [version, iv, flip(tag), ciphertext],
      [version, flip(iv), tag, ciphertext],
    ]) {
      expect(() => box.open(tampered.join(':'), 'ctx')).toThrow(SecretBoxError);
    }
  });

  it('refuses another key, and another context (a ciphertext copied to another profile)', () => {
    const sealed = box.seal('s3cr3t-value', 'profile-1');
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'profile-1')).toThrow(SecretBoxError);
    expect(() => box.open(sealed, 'profile-2')).toThrow(SecretBoxError);
  });

  it('refuses unknown formats and keys of the wrong size', () => {
    expect(() => box.open('v2:a:b:c')).toThrow(/format/);
    expect(() => box.open('not sealed')).toThrow(SecretBoxError);
    expect(() => new SecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });
});
