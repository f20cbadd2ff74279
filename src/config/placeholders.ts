/** The placeholders a context's SQL and claims may carry, and sample values for reading a context statically. */
export const TENANT_PLACEHOLDER = '$tenant';
/** A tenant id for reading a context statically (which settings it writes). */
export const SAMPLE_TENANT = '00000000-0000-4000-8000-000000000000';
