/**
 * Identifier validators (issue 6). SQL twins: sql/validators.sql
 * (validators.is_valid_cpf(value, mode) ...), which agree with these on every
 * input (properties/validators-sql.property.ts).
 *
 * Modes: strict = the compact form only; lenient (default) = compact or
 * exactly the canonical mask; loose = trim ASCII whitespace, delete the
 * identifier's separators anywhere (upper-case a-z for CNPJ), then strict.
 * Only ASCII digits (and A-Z for CNPJ) ever count.
 */
export { cpf, cpfCheckDigits } from './cpf.js';
export { cnpj, cnpjCheckDigits, type CnpjGenerateOptions } from './cnpj.js';
export { abn } from './abn.js';
export { acn, acnCheckDigit } from './acn.js';
export { tfn } from './tfn.js';
export { auPhone, type AuPhoneGenerateOptions } from './au-phone.js';
export {
  InvalidIdentifierError,
  MODES,
  rngFromFloat,
  seededRng,
  type CheckResult,
  type Identifier,
  type InvalidReason,
  type MaskIdentifier,
  type Mode,
  type Problem,
  type Rng,
  type ValidateOptions,
} from './common.js';
