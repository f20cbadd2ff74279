/**
 * Password hashing with scrypt (RFC 7914) from node:crypto.
 *
 * Why scrypt and not bcrypt at cost 12 (story 003) or argon2id:
 * - scrypt is memory-hard: at N = 2^17, r = 8 (128 MiB per guess, OWASP's
 *   recommended minimum) GPU and ASIC attacks cost far more than against
 *   bcrypt, which uses 4 KiB whatever its cost.
 * - bcrypt silently ignores everything after the 72nd byte of a password;
 *   scrypt takes the whole password.
 * - It ships with Node (OpenSSL): no dependency, no native build. argon2id is
 *   OWASP's first choice, but on Node 20 it needs the `argon2` native addon
 *   (an install script and platform binaries), and Node's own crypto.argon2
 *   only arrives in Node 24.
 * Hashes are self-describing PHC strings
 * (`$scrypt$ln=17,r=8,p=1$<salt>$<hash>`, base64 without padding), so the
 * cost can be raised, or the scheme changed to argon2id, later: `needsRehash`
 * says when a stored hash is below the current policy, and the caller
 * rehashes at the next successful sign-in.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { reveal, type SecretInput } from './secret.js';

export interface ScryptParams {
  /** log2 of the CPU/memory cost N. */
  ln: number;
  /** Block size. */
  r: number;
  /** Parallelization. */
  p: number;
}

/** N = 2^17, r = 8, p = 1: 128 MiB and roughly 0.3 s per hash on one core. */
export const DEFAULT_SCRYPT_PARAMS: Readonly<ScryptParams> = Object.freeze({ ln: 17, r: 8, p: 1 });

const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Longer inputs are refused: hashing megabytes on request is a denial of service. */
export const MAX_PASSWORD_LENGTH = 1024;

// Bounds for parameters read back from a stored hash: a tampered row must not
// make verification allocate gigabytes.
const LIMITS = { ln: [10, 20], r: [1, 32], p: [1, 16] } as const;

const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,88})\$([A-Za-z0-9+/]{22,88})$/;

interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

function parseHash(hash: string): ParsedHash | null {
  const m = PHC.exec(hash);
  if (!m) return null;
  const params = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (!withinLimits(params)) return null;
  const salt = Buffer.from(m[4]!, 'base64');
  const key = Buffer.from(m[5]!, 'base64');
  if (key.length < 16 || key.length > 64) return null;
  return { params, salt, key };
}

function withinLimits(p: ScryptParams): boolean {
  return (Object.keys(LIMITS) as (keyof ScryptParams)[]).every(
    (k) => Number.isInteger(p[k]) && p[k] >= LIMITS[k][0] && p[k] <= LIMITS[k][1],
  );
}

function derive(password: string, salt: Buffer, keylen: number, { ln, r, p }: ScryptParams): Promise<Buffer> {
  const N = 2 ** ln;
  // Node refuses anything above 32 MiB unless told: allow what these parameters need.
  const maxmem = 128 * N * r * p + 2 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keylen, { N, r, p, maxmem }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function normalize(password: SecretInput): string {
  const value = reveal(password);
  if (typeof value !== 'string') throw new TypeError('password must be a string');
  // Composed and decomposed forms of the same characters must give the same hash (NIST SP 800-63B).
  return value.normalize('NFC');
}

const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');

/** Hashes a password; the result is a PHC string that carries its own parameters and salt. */
export async function hashPassword(password: SecretInput, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<string> {
  const value = normalize(password);
  // The messages never include the password.
  if (value.length === 0) throw new RangeError('password must not be empty');
  if (value.length > MAX_PASSWORD_LENGTH) throw new RangeError(`password must be at most ${MAX_PASSWORD_LENGTH} characters`);
  if (!withinLimits(params)) throw new RangeError(`scrypt parameters out of range: ln=${params.ln}, r=${params.r}, p=${params.p}`);
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(value, salt, KEY_BYTES, params);
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${b64(salt)}$${b64(key)}`;
}

/**
 * Whether `password` matches `hash`, compared in constant time. A hash this
 * module cannot read (another scheme, tampered parameters) never matches;
 * needsRehash reports it.
 */
export async function verifyPassword(password: SecretInput, hash: string): Promise<boolean> {
  const value = normalize(password);
  const parsed = typeof hash === 'string' ? parseHash(hash) : null;
  if (!parsed || value.length === 0 || value.length > MAX_PASSWORD_LENGTH) return false;
  const key = await derive(value, parsed.salt, parsed.key.length, parsed.params);
  return timingSafeEqual(key, parsed.key);
}

/** True when `hash` is not a current-policy scrypt hash: rehash the password at the next sign-in. */
export function needsRehash(hash: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): boolean {
  const parsed = typeof hash === 'string' ? parseHash(hash) : null;
  if (!parsed) return true;
  return (
    parsed.params.ln !== params.ln ||
    parsed.params.r !== params.r ||
    parsed.params.p !== params.p ||
    parsed.salt.length < SALT_BYTES ||
    parsed.key.length < KEY_BYTES
  );
}
