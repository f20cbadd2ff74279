import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql, type SQLQuery } from '@databases/pg';
import { buildWorld, factories, insertWorld, loadGlobalRows, seededFaker, type ExistingRows, type Row, type World } from '../factories/index.js';
import { abn, acn, cpf } from 'tenantproof/validators';
import { referenceDatabase } from '../tests/support/reference-db.js';
import type { TestDatabase } from '../tests/support/database.js';
import { attempt, become, ident, unbecome, type Outcome } from './support/reference.js';

// The schema's checks reject bad values with the constraint's own name, as a
// tenant's administrator writes them (inside its tenant, so that only the
// value can be at fault). Each bad row differs from a row that goes in by
// one column.

const RUNS = Math.max(50, Number(process.env.TENANTPROOF_RUNS ?? 25) * 2);
let t: TestDatabase;
let world: World;
let existing: ExistingRows;
let tenant: string;
let n = 0;

beforeAll(async () => {
  t = await referenceDatabase();
  existing = await loadGlobalRows(t.db);
  const counts = { 'app.users': 2, 'app.projects': 2, 'app.photos': 3, 'app.tags': 3 };
  world = buildWorld(5, { tenants: [counts] }, { existing });
  tenant = world.tenantIds[0]!;
  await t.db.tx((tx) => insertWorld(tx, world));
});
afterAll(async () => t?.drop());

/** A valid row of `table` for the tenant, from its factory. */
function validRow(table: string): Row {
  const faker = seededFaker(1000 + n);
  return factories[table]!({
    faker,
    tenantId: tenant,
    n: 100_000 + n++,
    pick: (parent) => {
      const rows = [...(world.rows[parent] ?? []), ...(existing[parent] ?? [])];
      return rows.length > 0 ? faker.helpers.arrayElement(rows) : undefined;
    },
  });
}

/** Inserts `row` with some columns given as SQL values (NaN and infinities do not survive JSON). */
function insertWith(table: string, row: Row, values: Record<string, SQLQuery> = {}): SQLQuery {
  const columns = [...new Set([...Object.keys(row), ...Object.keys(values)])];
  const list = sql.join(columns.map((c) => sql.ident(c)), ', ');
  const select = sql.join(columns.map((c) => values[c] ?? sql.ident(c)), ', ');
  return sql`insert into ${ident(table)} (${list}) select ${select} from json_populate_record(null::${ident(table)}, ${JSON.stringify(row)}::json)`;
}

/** Runs the insert as the tenant's administrator and rolls it back. */
async function asAdmin(query: SQLQuery): Promise<Outcome> {
  let out: Outcome | undefined;
  await t.db
    .tx(async (tx) => {
      await become(tx, 'tp_admin', tenant);
      out = await attempt(tx, query);
      await unbecome(tx);
      throw new Error('rollback');
    })
    .catch((e: Error) => {
      if (e.message !== 'rollback') throw e;
    });
  return out!;
}

const rejection = (o: Outcome) => (o.ok ? 'accepted' : `${o.code} ${o.constraint}`);

/** The bad row is rejected by `constraint`; the same row with the good value goes in. */
async function rejectedBy(constraint: string, table: string, row: Row, bad: Record<string, SQLQuery>, label: string): Promise<void> {
  expect(rejection(await asAdmin(insertWith(table, row))), `control: the valid ${table} row`).toBe('accepted');
  expect(rejection(await asAdmin(insertWith(table, row, bad))), label).toBe(`23514 ${constraint}`);
}

const noNul = (s: string) => !s.includes('\u0000');
const MIME_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/heic', 'image/heif', 'image/tiff'];

describe('constraints of the photo store', () => {
  it('a detection confidence outside [0, 1] (NaN and infinities included) is rejected by detections_confidence_range', async () => {
    const confidence = fc.oneof(
      fc.double({ max: -Number.MIN_VALUE, noNaN: true }),
      fc.double({ min: 1 + Number.EPSILON, noNaN: true }),
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1e-300, 1.0000001),
    );
    await fc.assert(
      fc.asyncProperty(confidence, async (c) => {
        await rejectedBy('detections_confidence_range', 'app.detections', validRow('app.detections'), { confidence: sql`${c}::double precision` }, `confidence ${c}`);
      }),
      { numRuns: RUNS },
    );
  });

  it('a processing time of zero or less is rejected by detections_processing_time_positive', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -2_147_483_648, max: 0 }), async (ms) => {
        await rejectedBy('detections_processing_time_positive', 'app.detections', validRow('app.detections'), { processing_time_ms: sql`${ms}::integer` }, `processing_time_ms ${ms}`);
      }),
      { numRuns: RUNS },
    );
  });

  it('a mime type that is not an accepted image type is rejected by photos_mime_type_check', async () => {
    const nearMisses = fc.constantFrom('image/JPEG', 'image/jpg', ' image/jpeg', 'image/jpeg ', 'image/gif', 'image/svg+xml', 'application/pdf', 'text/html', '', 'image/', 'IMAGE/PNG');
    const mime = fc.oneof(nearMisses, fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 })).filter((s) => noNul(s) && !MIME_TYPES.includes(s));
    await fc.assert(
      fc.asyncProperty(mime, async (m) => {
        await rejectedBy('photos_mime_type_check', 'app.photos', validRow('app.photos'), { mime_type: sql`${m}::text` }, `mime type ${JSON.stringify(m)}`);
      }),
      { numRuns: RUNS },
    );
  });

  it('an ai tag without a confidence, a user tag with one, or a confidence outside [0, 1] are each rejected by their constraint', async () => {
    const cases = fc.oneof(
      fc.constant({ source: 'ai', confidence: null as number | null, constraint: 'photo_tags_ai_confidence_required' }),
      fc.double({ min: 0, max: 1, noNaN: true }).map((c) => ({ source: 'user', confidence: c as number | null, constraint: 'photo_tags_user_confidence_null' })),
      fc.oneof(fc.double({ min: 1 + Number.EPSILON, noNaN: true }), fc.double({ max: -Number.MIN_VALUE, noNaN: true }), fc.constant(Number.NaN))
        .map((c) => ({ source: 'ai', confidence: c as number | null, constraint: 'photo_tags_confidence_range' })),
    );
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(cases, async ({ source, confidence, constraint }) => {
        // A valid tag link of the other source is the control; the bad one changes source and confidence together.
        const row = { ...validRow('app.photo_tags') };
        await rejectedBy(constraint, 'app.photo_tags', row, { source: sql`${source}::text`, confidence: sql`${confidence}::double precision` }, `${source} tag with confidence ${confidence}`);
        seen.add(constraint);
      }),
      { numRuns: RUNS },
    );
    expect(seen.size).toBe(3);
  });
});

describe('constraints of companies and clients', () => {
  const digits = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: length, maxLength: length });
  /** A valid number with one digit changed, or any string of digits, that the validator rejects. */
  const invalid = (id: { isValid(s: string, o?: { mode: 'strict' }): boolean; generate(rng: (n: number) => number): string }, length: number) =>
    fc.oneof(
      fc.tuple(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.nat({ max: length - 1 }), fc.integer({ min: 1, max: 9 })).map(([seed, i, d]) => {
        const f = seededFaker(seed);
        const v = id.generate((k) => f.number.int({ min: 0, max: k - 1 }));
        return v.slice(0, i) + String((Number(v[i]) + d) % 10) + v.slice(i + 1);
      }),
      digits(length),
      fc.string({ maxLength: 14 }).filter(noNul),
    ).filter((s) => !id.isValid(s, { mode: 'strict' }));

  it('an invalid CPF is rejected by the validators.cpf domain (cpf_valid)', async () => {
    await fc.assert(
      fc.asyncProperty(invalid(cpf, 11), async (v) => {
        await rejectedBy('cpf_valid', 'app.clients', validRow('app.clients'), { cpf: sql`${v}::validators.cpf` }, `CPF ${JSON.stringify(v)}`);
      }),
      { numRuns: RUNS },
    );
  });

  it('an invalid ABN or ACN is rejected by the validators.abn and validators.acn domains', async () => {
    await fc.assert(
      fc.asyncProperty(invalid(abn, 11), invalid(acn, 9), async (badAbn, badAcn) => {
        const row = { ...validRow('app.companies'), entity_type: 'private_company', acn: acn.generate(() => 1) };
        await rejectedBy('abn_valid', 'app.companies', row, { abn: sql`${badAbn}::validators.abn` }, `ABN ${JSON.stringify(badAbn)}`);
        await rejectedBy('acn_valid', 'app.companies', row, { acn: sql`${badAcn}::validators.acn` }, `ACN ${JSON.stringify(badAcn)}`);
      }),
      { numRuns: RUNS },
    );
  });

  it('a client name outside 2-100 characters or a birth date outside 1900..today is rejected by its constraint', async () => {
    // As the check counts: characters (code points) after trimming spaces (btrim), nothing else.
    const length = (s: string) => [...s.replace(/^ +| +$/g, '')].length;
    const badName = fc
      .oneof(fc.string({ maxLength: 3 }), fc.string({ minLength: 101, maxLength: 300 }), fc.string({ unit: 'grapheme', minLength: 90, maxLength: 150 }), fc.constantFrom('  a  ', ' ', 'x'.repeat(101)))
      .filter((s) => noNul(s) && (length(s) < 2 || length(s) > 100));
    const badBirth = fc.oneof(
      fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('1899-12-31T00:00:00Z'), noInvalidDate: true }),
      fc.date({ min: new Date(Date.now() + 2 * 86_400_000), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true }),
    ).map((d) => d.toISOString().slice(0, 10));
    await fc.assert(
      fc.asyncProperty(badName, badBirth, async (name, birth) => {
        const row = validRow('app.clients');
        await rejectedBy('clients_name_length', 'app.clients', row, { name: sql`${name}::text` }, `name ${JSON.stringify(name)}`);
        await rejectedBy('clients_birth_date_range', 'app.clients', row, { birth_date: sql`${birth}::date` }, `birth date ${birth}`);
      }),
      { numRuns: RUNS },
    );
  });
});
