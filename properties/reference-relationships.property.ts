import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql, type Transaction } from '@databases/pg';
import { buildWorld, loadGlobalRows, worldSpec, type ExistingRows, type Row, type WorldShape } from '../factories/index.js';
import { referenceDatabase } from '../tests/support/reference-db.js';
import type { TestDatabase } from '../tests/support/database.js';
import { attempt, become, inRolledBackWorld, unbecome } from './support/reference.js';

// Relationship behaviour of the photo store: cascades, a detection's tenant
// is its photo's, monthly partitions (routing and isolation when queried directly).

const RUNS = Number(process.env.TENANTPROOF_RUNS ?? 25);
let t: TestDatabase;
let existing: ExistingRows;

beforeAll(async () => {
  t = await referenceDatabase();
  existing = await loadGlobalRows(t.db);
});
afterAll(async () => t?.drop());

/** Worlds rich in photos, detections and tags. */
const photoWorlds = (): fc.Arbitrary<{ seed: number; shape: WorldShape }> =>
  worldSpec({ minTenants: 2, maxTenants: 4, maxPerTable: 4 }).map(({ seed, shape }) => ({
    seed,
    shape: {
      ...shape,
      tenants: shape.tenants.map((c) => ({
        ...c,
        'app.users': 1 + (c['app.users'] ?? 0),
        'app.projects': 1 + (c['app.projects'] ?? 0),
        'app.photos': 1 + (c['app.photos'] ?? 0),
        'app.detections': 3 * (c['app.detections'] ?? 0),
        'app.photo_tags': 2 * (c['app.photo_tags'] ?? 0),
      })),
    } satisfies WorldShape,
  }));

const count = async (q: Transaction, query: ReturnType<typeof sql>) => (await q.query(query))[0]!.n as number;

describe('photos, detections and tags', () => {
  it('deleting a photo removes exactly its detections and tag links, and nothing else', async () => {
    const coverage = { deleted: 0, detectionsCascaded: 0, tagsCascaded: 0 };
    await fc.assert(
      fc.asyncProperty(photoWorlds(), fc.nat(), async ({ seed, shape }, pick) => {
        const world = buildWorld(seed, shape, { existing });
        const photos = world.rows['app.photos']!;
        const photo = photos[pick % photos.length]!;
        await inRolledBackWorld(t.db, world, async (tx) => {
          const totals = async () => ({
            photos: await count(tx, sql`select count(*)::int as n from app.photos`),
            detections: await count(tx, sql`select count(*)::int as n from app.detections`),
            photoTags: await count(tx, sql`select count(*)::int as n from app.photo_tags`),
            tags: await count(tx, sql`select count(*)::int as n from app.tags`),
          });
          const before = await totals();
          const ownDetections = await count(tx, sql`select count(*)::int as n from app.detections where tenant_id = ${photo.tenant_id} and photo_id = ${photo.id}`);
          const ownTags = await count(tx, sql`select count(*)::int as n from app.photo_tags where tenant_id = ${photo.tenant_id} and photo_id = ${photo.id}`);
          // As the application deletes it: a member of the photo's tenant.
          await become(tx, 'tp_member', photo.tenant_id as string);
          const deleted = await tx.query(sql`delete from app.photos where id = ${photo.id} returning id`);
          await unbecome(tx);
          expect(deleted.length).toBe(1);
          const after = await totals();
          expect(after).toEqual({ photos: before.photos - 1, detections: before.detections - ownDetections, photoTags: before.photoTags - ownTags, tags: before.tags });
          expect(await count(tx, sql`select count(*)::int as n from app.detections where photo_id = ${photo.id}`)).toBe(0);
          expect(await count(tx, sql`select count(*)::int as n from app.photo_tags where photo_id = ${photo.id}`)).toBe(0);
          coverage.deleted++;
          coverage.detectionsCascaded += ownDetections;
          coverage.tagsCascaded += ownTags;
        });
      }),
      { numRuns: RUNS },
    );
    expect(coverage.deleted).toBe(RUNS);
    expect(coverage.detectionsCascaded).toBeGreaterThan(0);
    expect(coverage.tagsCascaded).toBeGreaterThan(0);
  });

  it("a detection's tenant is always its photo's: every attempt to split them fails on the foreign key", async () => {
    const coverage = { attempts: 0 };
    const FK = 'detections_tenant_id_photo_id_fkey';
    await fc.assert(
      fc.asyncProperty(photoWorlds(), fc.nat(), fc.nat(), fc.constantFrom('postgres', 'tp_platform'), async ({ seed, shape }, a, b, role) => {
        const world = buildWorld(seed, shape, { existing });
        const [ta, tb] = [world.tenantIds[a % world.tenantIds.length]!, world.tenantIds[(a + 1) % world.tenantIds.length]!];
        const photosOf = (tenant: string) => world.rows['app.photos']!.filter((p) => p.tenant_id === tenant);
        const photoA = photosOf(ta)[b % photosOf(ta).length]!;
        const photoB = photosOf(tb)[b % photosOf(tb).length]!;
        await inRolledBackWorld(t.db, world, async (tx) => {
          // Every stored detection sits with a photo of its own tenant.
          expect(
            await count(
              tx,
              sql`select count(*)::int as n from app.detections d
            where not exists (select from app.photos p where p.tenant_id = d.tenant_id and p.id = d.photo_id)`,
            ),
          ).toBe(0);
          // Even roles that bypass row level security (the superuser, platform operators) cannot split them.
          if (role !== 'postgres') await become(tx, role, null);
          const detection = world.rows['app.detections']!.find((d) => d.tenant_id === ta) as Row | undefined;
          const tries: [string, ReturnType<typeof sql>][] = [
            [
              "a detection of A on B's photo",
              sql`insert into app.detections (tenant_id, photo_id, detection_type, model_version, results, confidence, processing_time_ms)
                values (${ta}, ${photoB.id}, 'damage', 'm-1', '{}', 0.5, 10)`,
            ],
            [
              "a detection of B on A's photo",
              sql`insert into app.detections (tenant_id, photo_id, detection_type, model_version, results, confidence, processing_time_ms)
                values (${tb}, ${photoA.id}, 'damage', 'm-1', '{}', 0.5, 10)`,
            ],
            ...(detection
              ? ([
                  ["A's detection pointed at B's photo", sql`update app.detections set photo_id = ${photoB.id} where tenant_id = ${ta} and id = ${detection.id}`],
                  ["A's detection moved to B", sql`update app.detections set tenant_id = ${tb} where tenant_id = ${ta} and id = ${detection.id}`],
                ] as [string, ReturnType<typeof sql>][])
              : []),
          ];
          for (const [label, q] of tries) {
            const out = await attempt(tx, q);
            expect(out.ok ? 'accepted' : `${out.code} ${out.constraint}`, `${role}: ${label}`).toBe(`23503 ${FK}`);
            coverage.attempts++;
          }
          // Moving a photo that has detections to another tenant (storage key rewritten to pass its check)
          // would leave them behind: refused by the foreign keys too.
          const withDetections = world.rows['app.detections']!.find((d) => d.tenant_id === ta);
          if (withDetections) {
            const out = await attempt(
              tx,
              sql`update app.photos set tenant_id = ${tb},
                storage_key = replace(storage_key, ${ta}, ${tb}), storage_url = replace(storage_url, ${ta}, ${tb})
              where tenant_id = ${ta} and id = ${withDetections.photo_id}`,
            );
            expect(out.ok ? 'accepted' : out.code).toBe('23503');
            coverage.attempts++;
          }
          if (role !== 'postgres') await unbecome(tx);
        });
      }),
      { numRuns: RUNS },
    );
    expect(coverage.attempts).toBeGreaterThan(RUNS * 2);
  });
});

describe('monthly partitions of detections', () => {
  const BOUNDARIES = [
    '2024-01-01T00:00:00.000Z',
    '2023-12-31T23:59:59.999Z',
    '2027-12-31T23:59:59.999Z',
    '2028-01-01T00:00:00.000Z',
    '2026-02-28T23:59:59.999Z',
    '2026-03-01T00:00:00.000Z',
  ];
  /** The partition a moment belongs to: its UTC month from 2024-01 to 2027-12, else the default. */
  const expectedPartition = (iso: string) => {
    const d = new Date(iso);
    const y = d.getUTCFullYear();
    return y >= 2024 && y <= 2027 ? `app.detections_${y}_${String(d.getUTCMonth() + 1).padStart(2, '0')}` : 'app.detections_default';
  };
  const moments = fc.oneof(
    fc.constantFrom(...BOUNDARIES),
    fc.date({ min: new Date('2023-06-01T00:00:00Z'), max: new Date('2028-06-30T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
  );

  it('rows land in the partition of their month, and a partition queried directly shows each tenant only its own rows', async () => {
    const coverage = { rows: 0, partitions: new Set<string>(), directReads: 0 };
    await fc.assert(
      fc.asyncProperty(photoWorlds(), fc.array(fc.tuple(fc.nat(), moments), { minLength: 1, maxLength: 12 }), async ({ seed, shape }, placements) => {
        const world = buildWorld(seed, shape, { existing });
        await inRolledBackWorld(t.db, world, async (tx) => {
          const photos = world.rows['app.photos']!;
          const placed: { id: string; tenant: string; at: string }[] = [];
          for (const [i, at] of placements) {
            const photo = photos[i % photos.length]!;
            // Written by the application: a member of the photo's tenant.
            await become(tx, 'tp_member', photo.tenant_id as string);
            const [row] = await tx.query(sql`insert into app.detections (tenant_id, photo_id, detection_type, model_version, results, confidence, processing_time_ms, created_at)
              values (${photo.tenant_id}, ${photo.id}, 'material', 'm-2', '{}', 0.9, 120, ${at}::timestamptz) returning id, tableoid::regclass::text as part`);
            await unbecome(tx);
            expect(row!.part, `a detection created at ${at}`).toBe(expectedPartition(at));
            placed.push({ id: row!.id as string, tenant: photo.tenant_id as string, at });
            coverage.rows++;
            coverage.partitions.add(row!.part as string);
          }
          // Each partition that received rows, read directly by a member of every tenant.
          for (const part of new Set(placed.map((p) => expectedPartition(p.at)))) {
            const stored = await tx.query(sql`select tenant_id::text as t, id::text as id from ${sql.ident(...(part.split('.') as [string, string]))}`);
            for (const tenant of world.tenantIds) {
              await become(tx, 'tp_member', tenant);
              const seen = await tx.query(sql`select tenant_id::text as t, id::text as id from ${sql.ident(...(part.split('.') as [string, string]))}`);
              await unbecome(tx);
              expect(
                seen.filter((r) => r.t !== tenant),
                `a member of ${tenant} reading ${part}`,
              ).toEqual([]);
              expect(seen.map((r) => r.id).sort()).toEqual(
                stored
                  .filter((r) => r.t === tenant)
                  .map((r) => r.id)
                  .sort(),
              );
              coverage.directReads++;
            }
          }
        });
      }),
      {
        numRuns: RUNS,
        examples: [
          [
            {
              seed: 1,
              shape: {
                tenants: [
                  { 'app.users': 1, 'app.projects': 1, 'app.photos': 2 },
                  { 'app.users': 1, 'app.projects': 1, 'app.photos': 2 },
                ],
              },
            },
            BOUNDARIES.map((b, i) => [i, b] as [number, string]),
          ],
        ],
      },
    );
    expect(coverage.partitions.has('app.detections_default')).toBe(true);
    expect(coverage.partitions.has('app.detections_2024_01')).toBe(true);
    expect(coverage.partitions.size).toBeGreaterThan(5);
    expect(coverage.directReads).toBeGreaterThan(RUNS);
  });
});
