import { createHash, randomBytes } from 'node:crypto';
import { RequestFingerprint } from './request-fingerprint';

describe('request fingerprint', () => {
  const key = randomBytes(32);
  const request = { method: 'POST', path: '/v1/connector-profiles', body: { secrets: { password: 'hunter2' } } };

  it('is stable for the same request and differs for another body, path or method', () => {
    const fingerprint = new RequestFingerprint(key);
    expect(fingerprint.of(request)).toBe(new RequestFingerprint(key).of({ ...request }));
    expect(fingerprint.of({ ...request, body: { secrets: { password: 'hunter3' } } })).not.toBe(
      fingerprint.of(request),
    );
    expect(fingerprint.of({ ...request, path: '/v1/other' })).not.toBe(fingerprint.of(request));
    expect(fingerprint.of({ ...request, method: 'PATCH' })).not.toBe(fingerprint.of(request));
  });

  it('cannot be recomputed without the key (no offline guessing of secrets in bodies)', () => {
    const plain = createHash('sha256')
      .update(`${request.method} ${request.path}\n${JSON.stringify(request.body)}`)
      .digest('hex');
    expect(new RequestFingerprint(key).of(request)).not.toBe(plain);
    expect(new RequestFingerprint(randomBytes(32)).of(request)).not.toBe(new RequestFingerprint(key).of(request));
  });
});
