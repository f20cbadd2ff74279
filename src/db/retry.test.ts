import { describe, expect, it } from 'vitest';
import { retry } from './retry.js';

const transient = Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });

describe('retry', () => {
  it('retries a transient failure until it succeeds', async () => {
    let calls = 0;
    const value = await retry(
      async () => {
        calls++;
        if (calls < 3) throw transient;
        return 'ok';
      },
      { isRetryable: () => true, baseMs: 1 },
    );
    expect(value).toBe('ok');
    expect(calls).toBe(3);
  });

  it('gives up after the attempt budget and rethrows the last error', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw transient;
        },
        { isRetryable: () => true, attempts: 4, baseMs: 1 },
      ),
    ).rejects.toBe(transient);
    expect(calls).toBe(4);
  });

  it('does not retry what is not transient', async () => {
    let calls = 0;
    const fatal = new Error('syntax error');
    await expect(
      retry(
        async () => {
          calls++;
          throw fatal;
        },
        { isRetryable: (e) => e !== fatal },
      ),
    ).rejects.toBe(fatal);
    expect(calls).toBe(1);
  });

  it('stops when the time budget would be exceeded, whatever the attempts left', async () => {
    let calls = 0;
    const delays: number[] = [];
    await expect(
      retry(
        async () => {
          calls++;
          throw transient;
        },
        { isRetryable: () => true, attempts: 1000, baseMs: 20, capMs: 20, maxMs: 100, onRetry: (_e, _a, d) => delays.push(d) },
      ),
    ).rejects.toBe(transient);
    expect(calls).toBeLessThan(1000);
    // Full jitter: every delay lies within [0, cap].
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(0), expect(d).toBeLessThanOrEqual(20);
  });
});
