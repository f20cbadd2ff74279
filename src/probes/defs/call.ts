/**
 * call, call-other-tenant: every function an actor may execute is called,
 * whatever it returns (a set, a composite, json, a scalar), with the actor's
 * own ids and then with another tenant's ids where its arguments take a
 * tenant or a principal. It leaks when another tenant's key or id appears in
 * the result: one of its keys or text values that no tenant of the actor
 * holds (a SECURITY DEFINER function runs as its owner, past the caller's
 * policies). A NULL or all-NULL result holds no row.
 */
import type { Func } from '../../catalog/types.js';
import { quoteIdent, quoteLiteral } from '../../sql/text.js';
import type { ActorModel, TenancyModel } from '../../tenancy/model.js';
import type { ProbeId } from '../ids.js';
import type { CheckDraft, ProbeContext, ProbeDefinition } from '../probe.js';
import { rolledBackBlock } from '../runner.js';

const UNCALLABLE = /^(any|anyelement|anyarray|anynonarray|anyenum|anyrange|anymultirange|anycompatible\w*|internal|cstring|trigger|event_trigger|language_handler|fdw_handler|index_am_handler|tsm_handler|table_am_handler|record)$/;

type Variant = 'own' | 'tenant' | 'principal';

/** The argument list of a call: ids where the argument takes a tenant or a principal, NULL (or the default) elsewhere. */
function argumentsOf(f: Func, model: TenancyModel, variant: Variant, ids: { own: string; tenant: string; principal: string; ownPrincipal: string }): string | null {
  const tenantType = model.tenantType;
  const principalType = model.principals?.type;
  const args: string[] = [];
  let idArgs = 0;
  f.argTypes.forEach((type, i) => {
    const isTenant = type === tenantType;
    const isPrincipal = principalType !== undefined && type === principalType;
    let value = `null::${type}`;
    if (isTenant || isPrincipal) idArgs++;
    if (variant === 'own' && isTenant) value = `${ids.own}::${type}`;
    else if (variant === 'own' && isPrincipal) value = `${ids.ownPrincipal}::${type}`;
    else if (variant === 'tenant' && isTenant) value = `${ids.tenant}::${type}`;
    else if (variant === 'principal' && isPrincipal) value = `${ids.principal}::${type}`;
    else if (variant === 'tenant' && isPrincipal && !isTenant) value = `${ids.ownPrincipal}::${type}`;
    args.push(value);
  });
  if (variant !== 'own' && idArgs === 0) return null;
  // Trailing arguments with defaults that carry no id are left out, so the defaults apply.
  let keep = args.length;
  while (keep > f.argTypes.length - f.argDefaults && keep > 0 && args[keep - 1]!.startsWith('null::')) keep--;
  return args.slice(0, keep).join(', ');
}

export function callable(cx: ProbeContext, actor: ActorModel): Func[] {
  return cx.catalog.functions.filter(
    (f) =>
      f.inScope &&
      !f.isTrigger &&
      f.kind === 'function' &&
      !f.extension &&
      !f.variadic &&
      (f.executableBy.includes(actor.role) || f.publicExecute) &&
      !f.argTypes.some((t) => UNCALLABLE.test(t)) &&
      !UNCALLABLE.test(f.returnType) === true &&
      !(f.returnsSet && /^SETOF record$/i.test(f.result)),
  );
}

function callProbe<Id extends ProbeId>(id: Id): ProbeDefinition<Id> {
  const other = id === 'call-other-tenant';
  return {
    id,
    family: 'call',
    severity: 'error',
    title: other ? 'A function served another tenant named in its argument' : "A function returned other tenants' data",
    why: other ? 'A function that trusts a tenant or user id argument serves any tenant to any caller.' : "A callable function (often SECURITY DEFINER) reads past the caller's policies.",
    fix: other
      ? "never trust a tenant id passed as an argument: derive the tenant from the caller's context inside the function, or check membership"
      : "make the function SECURITY INVOKER (or filter by the caller's tenant inside it), and revoke EXECUTE from actors that must not call it",
    phrase: other ? { tenant: "gets another tenant's rows by passing its id", none: 'gets tenant rows by passing a tenant id' } : { tenant: "gets other tenants' rows from a function", none: 'gets tenant rows from a function' },
    checks(cx, actor) {
      if (actor.expect === 'all') return [];
      const variants: Variant[] = other ? ['tenant', 'principal'] : ['own'];
      return callable(cx, actor).flatMap((f) => {
        const seen = new Set<string>();
        return variants.flatMap((variant): CheckDraft[] => {
          const runnerArgs = argumentsOf(f, cx.model, variant, { own: 'v_own', tenant: 'v_vt', principal: 'v_vp', ownPrincipal: 'v_principal' });
          if (runnerArgs === null || seen.has(runnerArgs)) return [];
          seen.add(runnerArgs);
          const call = (args: string) => `${quoteIdent(f.schema)}.${quoteIdent(f.name)}(${args})`;
          const statement = (args: string) => (f.returnsSet ? `select string_agg(x::text, ',') from ${call(args)} x` : `select (${call(args)})::text`);
          return [
            {
              probe: id,
              subject: f.signature,
              mode: 'context',
              describe: `call ${f.signature}${variant === 'own' ? '' : ` with another ${variant}'s id`}`,
              func: f,
              block: rolledBackBlock(
                `${statement(runnerArgs)} into v_result;\n-- Tokens are at least eight characters long: a shorter result (true, 42) carries none.\nif length(v_result) >= 8 then\n  select k.key into v_note from jsonb_each_text(v_tokens) k where not coalesce(k.value = any(v_allowed), false) and strpos(v_result, k.key) > 0 limit 1;\nend if;\nif v_note is not null then v_state := 'l'; v_note := 'l|1|' || v_note; else v_state := 'h'; end if;`,
                `if sqlstate in ('42501', 'P0001', '28000') then v_state := 'h'; v_note := null; else v_state := 'i'; v_note := 'e|' || sqlstate || '|' || sqlerrm; end if;`,
              ),
              replay: (rc) => {
                const args = argumentsOf(f, cx.model, variant, {
                  own: quoteLiteral(rc.ownTenant ?? ''),
                  tenant: quoteLiteral(rc.victimTenant ?? ''),
                  principal: quoteLiteral(rc.victimPrincipal ?? ''),
                  ownPrincipal: quoteLiteral(rc.ownPrincipal ?? ''),
                })!;
                return [`-- ids of tenants other than ${rc.allowed.map(quoteLiteral).join(', ') || '(none)'} in the result are a leak:`, `${statement(args)};`];
              },
            },
          ];
        });
      });
    },
  };
}

export const call = callProbe('call');
export const callOtherTenant = callProbe('call-other-tenant');
