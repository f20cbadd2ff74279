export { Secret, reveal, type SecretInput } from './secret.js';
export { constantTimeEqual, digestsEqual, sha256Hex } from './compare.js';
export {
  DEFAULT_SCRYPT_PARAMS,
  MAX_PASSWORD_LENGTH,
  hashPassword,
  needsRehash,
  verifyPassword,
  type ScryptParams,
} from './password.js';
export { TOKEN_BYTES, generateToken, hashToken, isWellFormedToken, tokenMatches } from './tokens.js';
export { API_KEY_SCHEME, generateApiKey, hashApiKey, parseApiKey, verifyApiKey, type GeneratedApiKey } from './api-keys.js';
export {
  base32Decode,
  base32Encode,
  generateTotpSecret,
  hotp,
  totp,
  totpUri,
  verifyTotp,
  type HotpOptions,
  type OtpAlgorithm,
  type TotpOptions,
  type TotpUriOptions,
  type TotpVerification,
  type VerifyTotpOptions,
} from './totp.js';
