import fc from 'fast-check';

// `tenantproof gate --seed S` (or TENANTPROOF_SEED=S) replays a run exactly;
// fast-check prints the seed and path of every failure either way.
const seed = process.env.TENANTPROOF_SEED;
if (seed !== undefined && seed !== '') fc.configureGlobal({ seed: Number(seed) });
