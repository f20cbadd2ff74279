import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { base32Decode, base32Encode, generateTotpSecret, hotp, totp, totpUri, verifyTotp, type OtpAlgorithm } from './totp.js';

const ascii = (s: string) => base32Encode(Buffer.from(s, 'ascii'));

describe('base32 (RFC 4648)', () => {
  it('matches the RFC test vectors (unpadded)', () => {
    const vectors: [string, string][] = [['', ''], ['f', 'MY'], ['fo', 'MZXQ'], ['foo', 'MZXW6'], ['foob', 'MZXW6YQ'], ['fooba', 'MZXW6YTB'], ['foobar', 'MZXW6YTBOI']];
    for (const [plain, encoded] of vectors) {
      expect(ascii(plain)).toBe(encoded);
      expect(base32Decode(encoded).toString('ascii')).toBe(plain);
    }
    expect(base32Decode('mzxw 6ytb oi======').toString('ascii')).toBe('foobar');
  });

  it('round-trips any bytes and rejects other characters', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      expect(base32Decode(base32Encode(bytes)).equals(Buffer.from(bytes))).toBe(true);
    }));
    expect(() => base32Decode('ABC1')).toThrow(RangeError);
    expect(() => base32Decode('ABC1')).not.toThrow(/ABC1/);
  });
});

describe('HOTP (RFC 4226, appendix D)', () => {
  it('matches the test vectors', () => {
    const key = Buffer.from('12345678901234567890', 'ascii');
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    expected.forEach((code, counter) => expect(hotp(key, counter)).toBe(code));
  });
});

describe('TOTP (RFC 6238, appendix B)', () => {
  const seeds: Record<OtpAlgorithm, string> = {
    sha1: ascii('12345678901234567890'),
    sha256: ascii('12345678901234567890123456789012'),
    sha512: ascii('1234567890123456789012345678901234567890123456789012345678901234'),
  };
  const vectors: [number, Record<OtpAlgorithm, string>][] = [
    [59, { sha1: '94287082', sha256: '46119246', sha512: '90693936' }],
    [1111111109, { sha1: '07081804', sha256: '68084774', sha512: '25091201' }],
    [1111111111, { sha1: '14050471', sha256: '67062674', sha512: '99943326' }],
    [1234567890, { sha1: '89005924', sha256: '91819424', sha512: '93441116' }],
    [2000000000, { sha1: '69279037', sha256: '90698825', sha512: '38618901' }],
    [20000000000, { sha1: '65353130', sha256: '77737706', sha512: '47863826' }],
  ];

  it('matches every test vector, and verifies each one', () => {
    for (const [time, codes] of vectors) {
      for (const algorithm of ['sha1', 'sha256', 'sha512'] as const) {
        expect(totp(seeds[algorithm], { time, algorithm, digits: 8 }), `${algorithm} at ${time}`).toBe(codes[algorithm]);
        expect(verifyTotp(seeds[algorithm], codes[algorithm], { time, algorithm, digits: 8 })).toMatchObject({ ok: true, drift: 0 });
      }
    }
  });

  it('accepts the neighbouring steps (±1) and refuses the ones beyond', () => {
    const secret = generateTotpSecret();
    const time = 1_700_000_015;
    const at = (dt: number) => totp(secret, { time: time + dt });
    expect(verifyTotp(secret, at(0), { time })).toMatchObject({ ok: true, drift: 0 });
    expect(verifyTotp(secret, at(-30), { time })).toMatchObject({ ok: true, drift: -1 });
    expect(verifyTotp(secret, at(30), { time })).toMatchObject({ ok: true, drift: 1 });
    // Distinct codes at ±2 steps could collide with the window's by chance (1e-6): skip then.
    const inWindow = new Set([at(-30), at(0), at(30)]);
    for (const dt of [-60, 60]) if (!inWindow.has(at(dt))) expect(verifyTotp(secret, at(dt), { time }).ok).toBe(false);
    expect(verifyTotp(secret, at(30), { time, window: 0 }).ok).toBe(at(30) === at(0));
  });

  it('refuses malformed codes, other secrets and replays', () => {
    const secret = generateTotpSecret();
    const other = generateTotpSecret();
    const time = 1_700_000_000;
    const code = totp(secret, { time });
    expect(code).toMatch(/^\d{6}$/);
    for (const bad of ['', code.slice(1), `${code}0`, ` ${code.slice(1)}`, 'abcdef', `${code.slice(0, 5)}x`]) {
      expect(verifyTotp(secret, bad, { time }).ok).toBe(false);
    }
    if (totp(other, { time }) !== code) expect(verifyTotp(other, code, { time, window: 0 }).ok).toBe(false);
    const first = verifyTotp(secret, code, { time });
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(verifyTotp(secret, code, { time, afterCounter: first.counter }).ok).toBe(false);
    expect(verifyTotp(secret, totp(secret, { time: time + 30 }), { time: time + 30, afterCounter: first.counter }).ok).toBe(true);
  });

  it('generates 160-bit base32 secrets that fit users.totp_secret, all distinct', () => {
    const secrets = Array.from({ length: 200 }, () => generateTotpSecret().reveal());
    expect(new Set(secrets).size).toBe(secrets.length);
    for (const s of secrets) {
      expect(s).toMatch(/^[A-Z2-7]{16,128}$/);
      expect(base32Decode(s)).toHaveLength(20);
    }
    expect(() => generateTotpSecret(8)).toThrow(RangeError);
  });

  it('builds an otpauth URI that authenticator apps read, redacted when printed', () => {
    const secret = generateTotpSecret();
    const uri = totpUri({ secret, issuer: 'Acme Pty', account: 'ana@acme.test' });
    const url = new URL(uri.reveal());
    expect(url.protocol).toBe('otpauth:');
    expect(url.host).toBe('totp');
    expect(decodeURIComponent(url.pathname)).toBe('/Acme Pty:ana@acme.test');
    expect(url.searchParams.get('secret')).toBe(secret.reveal());
    expect(url.searchParams.get('issuer')).toBe('Acme Pty');
    expect(url.searchParams.get('digits')).toBe('6');
    expect(url.searchParams.get('period')).toBe('30');
    expect(inspect(uri)).not.toContain(secret.reveal());
    expect(JSON.stringify({ uri, secret })).not.toContain(secret.reveal());
  });
});
