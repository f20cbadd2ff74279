import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryOptions {
  /** Most attempts in all, including the first. */
  attempts?: number;
  /** Give up once this much time has passed, whatever the attempt count. */
  maxMs?: number;
  baseMs?: number;
  capMs?: number;
  isRetryable: (e: unknown) => boolean;
  onRetry?: (e: unknown, attempt: number, delayMs: number) => void;
}

/**
 * Exponential backoff with full jitter (delay uniform in [0, min(cap, base * 2^n)]),
 * so that clients retrying after the same outage do not stampede together.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, o: RetryOptions): Promise<T> {
  const attempts = o.attempts ?? 6;
  const base = o.baseMs ?? 50;
  const cap = o.capMs ?? 2_000;
  const deadline = Date.now() + (o.maxMs ?? 15_000);
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      const delay = Math.random() * Math.min(cap, base * 2 ** (attempt - 1));
      if (attempt >= attempts || !o.isRetryable(e) || Date.now() + delay > deadline) throw e;
      o.onRetry?.(e, attempt, delay);
      await sleep(delay);
    }
  }
}
