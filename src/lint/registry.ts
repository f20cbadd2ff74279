/** Every lint rule, by id. Adding a rule: a module in rules/, its id in rule-ids.ts, one line here. */
import { actorBypassesRls } from './rules/actor-bypasses-rls.js';
import { actorMemberOfOwner } from './rules/actor-member-of-owner.js';
import { configUnknownObject } from './rules/config-unknown-object.js';
import { configUnknownRole } from './rules/config-unknown-role.js';
import { conventionForeignKeyIndexed } from './rules/convention-foreign-key-indexed.js';
import { conventionNaming } from './rules/convention-naming.js';
import { conventionTimestamps } from './rules/convention-timestamps.js';
import { defaultPrivilegesToActor } from './rules/default-privileges-to-actor.js';
import { failOpenNullCheck } from './rules/fail-open-null-check.js';
import { fkOmitsTenantColumn } from './rules/fk-omits-tenant-column.js';
import { foreignTableExposesTenantData } from './rules/foreign-table-exposes-tenant-data.js';
import { functionMutableSearchPath } from './rules/function-mutable-search-path.js';
import { globalTableAccess } from './rules/global-table-access.js';
import { leakproofFunction } from './rules/leakproof-function.js';
import { matviewExposesTenantData } from './rules/matview-exposes-tenant-data.js';
import { noneActorReachesTenantData } from './rules/none-actor-reaches-tenant-data.js';
import { nullableTenantColumn } from './rules/nullable-tenant-column.js';
import { partitionWithoutRls } from './rules/partition-without-rls.js';
import { permissiveWidening } from './rules/permissive-widening.js';
import { policyAlwaysTrue } from './rules/policy-always-true.js';
import { policyFunctionNotExecutable } from './rules/policy-function-not-executable.js';
import { policyOnCurrentUser } from './rules/policy-on-current-user.js';
import { policySubqueryWithoutRls } from './rules/policy-subquery-without-rls.js';
import { policyToPublic } from './rules/policy-to-public.js';
import { policyTrustsForgeableSetting } from './rules/policy-trusts-forgeable-setting.js';
import { policyWithoutRls } from './rules/policy-without-rls.js';
import { rlsNotEnabled } from './rules/rls-not-enabled.js';
import { rlsNotForced } from './rules/rls-not-forced.js';
import { rlsWithoutPolicy } from './rules/rls-without-policy.js';
import { securityDefinerExposed } from './rules/security-definer-exposed.js';
import { sessionLevelContext } from './rules/session-level-context.js';
import { sharedRowException } from './rules/shared-row-exception.js';
import { sharedSequence } from './rules/shared-sequence.js';
import { tenantIndexNotLeading } from './rules/tenant-index-not-leading.js';
import { undeclaredGlobalTable } from './rules/undeclared-global-table.js';
import { uniqueOmitsTenantColumn } from './rules/unique-omits-tenant-column.js';
import { viewNotSecurityInvoker } from './rules/view-not-security-invoker.js';
import { writeWithoutCheck } from './rules/write-without-check.js';
import type { LintRule } from './rule.js';

export const RULES: readonly LintRule[] = [
  actorBypassesRls,
  actorMemberOfOwner,
  configUnknownObject,
  configUnknownRole,
  conventionForeignKeyIndexed,
  conventionNaming,
  conventionTimestamps,
  defaultPrivilegesToActor,
  failOpenNullCheck,
  fkOmitsTenantColumn,
  foreignTableExposesTenantData,
  functionMutableSearchPath,
  globalTableAccess,
  leakproofFunction,
  matviewExposesTenantData,
  noneActorReachesTenantData,
  nullableTenantColumn,
  partitionWithoutRls,
  permissiveWidening,
  policyAlwaysTrue,
  policyFunctionNotExecutable,
  policyOnCurrentUser,
  policySubqueryWithoutRls,
  policyToPublic,
  policyTrustsForgeableSetting,
  policyWithoutRls,
  rlsNotEnabled,
  rlsNotForced,
  rlsWithoutPolicy,
  securityDefinerExposed,
  sessionLevelContext,
  sharedRowException,
  sharedSequence,
  tenantIndexNotLeading,
  undeclaredGlobalTable,
  uniqueOmitsTenantColumn,
  viewNotSecurityInvoker,
  writeWithoutCheck,
];

export function ruleById(id: string): LintRule | undefined {
  return RULES.find((r) => r.id === id);
}
