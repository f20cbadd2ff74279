import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A secret handed to a caller once (an API key, a token, a TOTP secret).
 * Logging, JSON, string interpolation and util.inspect all print
 * `[redacted]`: only an explicit `reveal()` yields the value, so a secret
 * cannot reach a log line or an error message by accident.
 */
export class Secret {
  // A private field: not enumerable, not shown by util.inspect or structured printers.
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return `Secret(${REDACTED})`;
  }
}

/** Functions that take a secret accept it wrapped or as a plain string. */
export type SecretInput = string | Secret;

export function reveal(s: SecretInput): string {
  return typeof s === 'string' ? s : s.reveal();
}
