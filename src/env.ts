import { z } from 'zod';
import { TenantproofError } from './errors.js';
import { SUPPORTED_MAJORS, type PgMajor } from './db/embedded/binaries.js';

/** The environment variables tenantproof reads, validated once at the edge. */
const EnvSchema = z.object({
  DATABASE_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), 'expected a postgres:// or postgresql:// connection string'),
  TENANTPROOF_PG_MAJOR: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (!v) return undefined;
      const n = Number(v);
      if (!(SUPPORTED_MAJORS as readonly number[]).includes(n)) {
        ctx.addIssue({ code: 'custom', message: `expected one of ${SUPPORTED_MAJORS.join(', ')}` });
        return z.NEVER;
      }
      return n as PgMajor;
    }),
  // libpq's variable: how long to wait for a server that is starting (db/pool.ts connectWaitMs).
  PGCONNECT_TIMEOUT: z
    .string()
    .optional()
    .refine((v) => !v?.trim() || (Number.isFinite(Number(v)) && Number(v) >= 0), 'expected a number of seconds'),
  TENANTPROOF_ENGINE: z.enum(['embedded', 'docker']).optional(),
  CI: z.string().optional(),
});

export type Env = z.infer<typeof EnvSchema>;

export function readEnv(env: NodeJS.ProcessEnv): Env {
  const r = EnvSchema.safeParse(env);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  throw new TenantproofError('bad-environment', `invalid environment: ${problems}`, 'fix or unset the variables named above');
}
