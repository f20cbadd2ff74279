/**
 * Two-factor codes: HOTP (RFC 4226) and TOTP (RFC 6238) on node:crypto, with
 * base32 secrets (RFC 4648) as authenticator apps expect them.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { reveal, Secret, type SecretInput } from './secret.js';

export type OtpAlgorithm = 'sha1' | 'sha256' | 'sha512';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** Decodes base32; case, spaces and padding are ignored (users type these secrets). Throws on other characters. */
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const v = BASE32.indexOf(ch);
    // The message names no character: the input is a secret.
    if (v < 0) throw new RangeError('not a base32 string');
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
    value &= (1 << bits) - 1;
  }
  return Buffer.from(out);
}

/**
 * A new TOTP secret, base32 without padding. 20 bytes (160 bits) is RFC 4226's
 * recommended length and what authenticator apps expect for SHA-1; it fits
 * the users.totp_secret column (`^[A-Z2-7]{16,128}$`).
 */
export function generateTotpSecret(bytes = 20): Secret {
  if (!Number.isInteger(bytes) || bytes < 16 || bytes > 64) throw new RangeError('a TOTP secret has 16 to 64 bytes');
  return new Secret(base32Encode(randomBytes(bytes)));
}

export interface HotpOptions {
  digits?: number;
  algorithm?: OtpAlgorithm;
}

/** RFC 4226: the HOTP value of `key` at `counter`, zero-padded to `digits`. */
export function hotp(key: Uint8Array, counter: number | bigint, { digits = 6, algorithm = 'sha1' }: HotpOptions = {}): string {
  if (!Number.isInteger(digits) || digits < 6 || digits > 8) throw new RangeError('digits must be 6, 7 or 8');
  const c = BigInt(counter);
  if (c < 0n || c > 0xffff_ffff_ffff_ffffn) throw new RangeError('counter must fit in 8 unsigned bytes');
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(c);
  const mac = createHmac(algorithm, key).update(msg).digest();
  // Dynamic truncation (RFC 4226, section 5.3).
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fff_ffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

export interface TotpOptions extends HotpOptions {
  /** Unix time in seconds (default: now). */
  time?: number;
  /** Time step in seconds (default 30). */
  step?: number;
  /** Unix time at which counting starts (default 0). */
  t0?: number;
}

function counterAt({ time = Date.now() / 1000, step = 30, t0 = 0 }: TotpOptions): number {
  if (!Number.isInteger(step) || step <= 0) throw new RangeError('step must be a positive integer');
  return Math.floor((time - t0) / step);
}

function keyOf(secret: SecretInput): Buffer {
  const key = base32Decode(reveal(secret));
  if (key.length === 0) throw new RangeError('empty TOTP secret');
  return key;
}

/** RFC 6238: the TOTP code of a base32 secret at `time`. */
export function totp(secret: SecretInput, options: TotpOptions = {}): string {
  return hotp(keyOf(secret), counterAt(options), options);
}

export interface VerifyTotpOptions extends TotpOptions {
  /** Steps accepted on either side of the current one, for clock drift (default 1). */
  window?: number;
  /** The counter of the last code accepted for this secret: it and earlier ones are refused (replay). */
  afterCounter?: number;
}

export type TotpVerification = { ok: true; counter: number; drift: number } | { ok: false };

/**
 * Checks a code against the steps within ±window of now, each in constant
 * time, and all of them (no early exit). On success returns the matching
 * counter: store it and pass it as `afterCounter` next time to refuse replays.
 */
export function verifyTotp(secret: SecretInput, code: string, options: VerifyTotpOptions = {}): TotpVerification {
  const { window = 1, digits = 6, afterCounter } = options;
  if (!Number.isInteger(window) || window < 0 || window > 10) throw new RangeError('window must be an integer from 0 to 10');
  if (typeof code !== 'string' || !new RegExp(`^\\d{${digits}}$`).test(code)) return { ok: false };
  const key = keyOf(secret);
  const now = counterAt(options);
  const given = Buffer.from(code);
  let match: { counter: number; drift: number } | undefined;
  for (let drift = -window; drift <= window; drift++) {
    const counter = now + drift;
    if (counter < 0) continue;
    const equal = timingSafeEqual(Buffer.from(hotp(key, counter, options)), given);
    if (equal && match === undefined && (afterCounter === undefined || counter > afterCounter)) match = { counter, drift };
  }
  return match ? { ok: true, ...match } : { ok: false };
}

export interface TotpUriOptions {
  secret: SecretInput;
  issuer: string;
  account: string;
  digits?: number;
  step?: number;
  algorithm?: OtpAlgorithm;
}

/** The otpauth:// URI that authenticator apps scan as a QR code. It contains the secret, so it is one too. */
export function totpUri({ secret, issuer, account, digits = 6, step = 30, algorithm = 'sha1' }: TotpUriOptions): Secret {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = new URLSearchParams({
    secret: reveal(secret),
    issuer,
    algorithm: algorithm.toUpperCase(),
    digits: String(digits),
    period: String(step),
  });
  return new Secret(`otpauth://totp/${label}?${query.toString()}`);
}
