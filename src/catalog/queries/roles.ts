import { sql, type Queryable } from '@databases/pg';

export interface RoleRow {
  name: string;
  superuser: boolean;
  bypassRls: boolean;
  login: boolean;
  inherit: boolean;
  createRole: boolean;
  createDb: boolean;
  replication: boolean;
}

export interface MembershipRow {
  member: string;
  role: string;
  admin: boolean;
  inherit: boolean;
  set: boolean;
}

export interface RoleFlagRow {
  actor: string;
  role: string;
  member: boolean;
  usage: boolean;
  set: boolean;
}

/** Attributes of every role; predefined pg_* roles included, they can be granted too. */
export async function queryRoles(db: Queryable): Promise<RoleRow[]> {
  return db.query(sql`
    select rolname::text as name, rolsuper as superuser, rolbypassrls as "bypassRls", rolcanlogin as login,
           rolinherit as inherit, rolcreaterole as "createRole", rolcreatedb as "createDb", rolreplication as replication
    from pg_roles
    order by rolname`);
}

/**
 * Direct membership edges. PostgreSQL 16 moved INHERIT and SET onto each
 * grant (inherit_option, set_option); before 16 inheritance is the member's
 * rolinherit and any member may SET ROLE.
 */
export async function queryMemberships(db: Queryable, serverVersion: number): Promise<MembershipRow[]> {
  if (serverVersion >= 160000) {
    return db.query(sql`
      select m.rolname::text as member, r.rolname::text as role, am.admin_option as admin,
             am.inherit_option as inherit, am.set_option as set
      from pg_auth_members am
      join pg_roles m on m.oid = am.member
      join pg_roles r on r.oid = am.roleid
      order by 1, 2`);
  }
  return db.query(sql`
    select m.rolname::text as member, r.rolname::text as role, am.admin_option as admin,
           m.rolinherit as inherit, true as set
    from pg_auth_members am
    join pg_roles m on m.oid = am.member
    join pg_roles r on r.oid = am.roleid
    order by 1, 2`);
}

/**
 * For each actor and each role it is a member of: the server's own answer to
 * "does it hold the privileges" (USAGE) and "may it SET ROLE" (SET, 16+).
 * Asking pg_has_role keeps the rules of each version exact.
 */
export async function queryRoleFlags(db: Queryable, actors: readonly string[], serverVersion: number): Promise<RoleFlagRow[]> {
  const setFlag = serverVersion >= 160000 ? sql`pg_has_role(a.actor, r.oid, 'SET')` : sql`pg_has_role(a.actor, r.oid, 'MEMBER')`;
  return db.query(sql`
    select a.actor, r.rolname::text as role,
           pg_has_role(a.actor, r.oid, 'MEMBER') as member,
           pg_has_role(a.actor, r.oid, 'USAGE') as usage,
           ${setFlag} as set
    from unnest(${actors}::text[]) as a(actor)
    cross join pg_roles r
    where r.rolname <> a.actor and pg_has_role(a.actor, r.oid, 'MEMBER')
    order by 1, 2`);
}
