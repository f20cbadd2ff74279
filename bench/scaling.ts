/**
 * Synthetic multi-tenant schemas of any size, for measuring how the cost of a
 * check grows with the number of tenant tables and of tenants per world.
 */
import { sql, type ConnectionPool } from '@databases/pg';
import { configSchema, type ResolvedConfig } from '../src/config/schema.js';
import { withTenantsPerWorld } from './engine-api.js';

/** N tenant tables, each with RLS forced, four policies and a composite foreign key to the previous one. */
export function syntheticSchemaSql(tables: number): string {
  const out = [
    `do $$ begin
       if not exists (select from pg_roles where rolname = 'bench_member') then create role bench_member nologin; end if;
     end $$`,
    'create schema s',
    'grant usage on schema s to bench_member',
    `create function s.tenant() returns uuid language sql stable as $$ select nullif(current_setting('bench.tenant_id', true), '')::uuid $$`,
    'create table s.tenants (id uuid primary key, name text not null)',
    'alter table s.tenants enable row level security',
    'alter table s.tenants force row level security',
    'create policy tenants_select on s.tenants for select to bench_member using (id = s.tenant())',
    'grant select on s.tenants to bench_member',
  ];
  for (let i = 1; i <= tables; i++) {
    const parent = i > 1 && i % 5 !== 1 ? `, parent_id uuid, foreign key (tenant_id, parent_id) references s.t${i - 1} (tenant_id, id)` : '';
    out.push(
      `create table s.t${i} (tenant_id uuid not null references s.tenants (id), id uuid not null, label text not null, amount int not null check (amount >= 0)${parent}, primary key (tenant_id, id))`,
      `alter table s.t${i} enable row level security`,
      `alter table s.t${i} force row level security`,
      `create policy t${i}_select on s.t${i} for select to bench_member using (tenant_id = s.tenant())`,
      `create policy t${i}_insert on s.t${i} for insert to bench_member with check (tenant_id = s.tenant())`,
      `create policy t${i}_update on s.t${i} for update to bench_member using (tenant_id = s.tenant()) with check (tenant_id = s.tenant())`,
      `create policy t${i}_delete on s.t${i} for delete to bench_member using (tenant_id = s.tenant())`,
      `grant select, insert, update, delete on s.t${i} to bench_member`,
    );
  }
  return out.join(';\n');
}

export async function createSyntheticSchema(db: ConnectionPool, tables: number): Promise<void> {
  await db.query(sql.__dangerous__rawValue(syntheticSchemaSql(tables)));
}

/** The config of a synthetic schema; tenants per world may exceed the config's 2..6 here (the bench sets it directly). */
export function syntheticConfig(tenants: number): ResolvedConfig {
  const c = configSchema.parse({
    tenancy: { tenantTable: 's.tenants', tenantColumn: 'tenant_id', schemas: ['s'] },
    actors: [{ name: 'member', role: 'bench_member', expect: 'tenant', context: { sql: "select set_config('bench.tenant_id', $tenant, true)" } }],
    probes: { maxRowsPerTable: 3 },
  });
  return withTenantsPerWorld(c, tenants);
}
