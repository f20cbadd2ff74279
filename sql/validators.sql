-- Identifier validators: the SQL twins of src/validators (issue 6).
--
-- validators.is_valid_<id>(value text, mode text default 'lenient') for cpf,
-- cnpj, abn, acn, tfn and au_phone; domains validators.cpf ... validators.tfn
-- holding the compact (strict) form.
--
-- Contract: NULL value -> NULL (so a CHECK on a nullable column behaves as
-- usual); any other value -> true or false, never NULL and never an error.
-- mode is 'strict', 'lenient' or 'loose'; any other mode (including NULL)
-- gives false, like the TypeScript side: an error would be friendlier for a
-- typo, but the functions promise never to raise.
--
-- Traps avoided (see ../shared/README.md): [0-9] and explicit ASCII sets only,
-- never \d; every regex and comparison under COLLATE "C" (ASCII-only classes,
-- and regexes would raise on a nondeterministic column collation); upper() only
-- under COLLATE "C" (elsewhere it maps 'ı' to 'I'); no ::bigint (drops leading
-- zeros, accepts '+'); btrim() with the explicit ASCII whitespace set.
--
-- Speed: is_valid_* and the helpers they call for strict and lenient mode are
-- single-expression LANGUAGE sql functions (SQL-standard bodies, bound at
-- creation, no search_path dependence), which the planner inlines into the
-- calling query or CHECK constraint. A helper parameter used many times is
-- inlined only when its argument is cheap, so the loose path, which needs a
-- computed string, normalises once in a tiny plpgsql function and hands the
-- result to the same inlined checks.
--
-- Not declared STRICT: the planner only inlines a STRICT SQL function whose
-- body is provably strict, which a CASE is not; NULL is handled explicitly.
--
-- Idempotent and self-contained: safe to run twice, depends on nothing else
-- (the property test loads it into a blank database as well).

create schema if not exists validators;
comment on schema validators is 'Identifier validators (CPF, CNPJ, ABN, ACN, TFN, Australian phone); twins of src/validators.';
-- Pure functions: anyone may call them. EXECUTE is granted to PUBLIC by default; schema
-- USAGE is not, and without it an application role could not call validators.is_valid_cpf()
-- itself (CHECK constraints and domains work either way).
grant usage on schema validators to public;

-- Value of the character at position i: ASCII code - 48 (0-9 -> 0-9, A-Z -> 17-42).
-- Total on any string (past the end substr gives '' and ascii('') = 0; code points
-- up to 0x10FFFF cannot overflow the sums), so the *_ok helpers below test the
-- check digits first and the shape regex last: the same answer, but the
-- arithmetic rejects most wrong input before the (dearer) regex runs.
create or replace function validators._char_value(v text, i integer) returns integer
  language sql immutable parallel safe
  return ascii(substr(v, i, 1)) - 48;

-- Loose normalisation: trim ASCII whitespace (tab, LF, VT, FF, CR, space) at both ends,
-- then delete the separators anywhere.
create or replace function validators._loose(value text, separators text) returns text
  language sql immutable parallel safe
  return translate(btrim(value, E'\t\n\x0B\x0C\r '), separators, '');

------------------------------------------------------------------------------
-- CPF: 000.000.000-00. Check digit (10 * s mod 11) mod 10 is "11 - s mod 11,
-- and 10 or 11 -> 0" with s referenced once (so it stays inlinable). The second
-- sum uses the number's own first check digit: if that one is wrong the first
-- test fails anyway.
------------------------------------------------------------------------------
create or replace function validators._cpf_checksum_ok(v text, p integer[]) returns boolean
  language sql immutable parallel safe
  return
    ((10 * validators._char_value(v, p[1]) + 9 * validators._char_value(v, p[2]) + 8 * validators._char_value(v, p[3])
      + 7 * validators._char_value(v, p[4]) + 6 * validators._char_value(v, p[5]) + 5 * validators._char_value(v, p[6])
      + 4 * validators._char_value(v, p[7]) + 3 * validators._char_value(v, p[8]) + 2 * validators._char_value(v, p[9]))
      * 10 % 11) % 10 = validators._char_value(v, p[10])
    and
    ((11 * validators._char_value(v, p[1]) + 10 * validators._char_value(v, p[2]) + 9 * validators._char_value(v, p[3])
      + 8 * validators._char_value(v, p[4]) + 7 * validators._char_value(v, p[5]) + 6 * validators._char_value(v, p[6])
      + 5 * validators._char_value(v, p[7]) + 4 * validators._char_value(v, p[8]) + 3 * validators._char_value(v, p[9])
      + 2 * validators._char_value(v, p[10]))
      * 10 % 11) % 10 = validators._char_value(v, p[11]);

create or replace function validators._cpf_compact_ok(v text) returns boolean
  language sql immutable parallel safe
  return coalesce(
    validators._cpf_checksum_ok(v, '{1,2,3,4,5,6,7,8,9,10,11}')
    -- All digits equal: nothing is left after stripping the first digit (cheaper than repeat()).
    and ltrim(v, substr(v, 1, 1)) <> ''
    and (v collate "C") ~ '^[0-9]{11}$',
    false);

create or replace function validators._cpf_masked_ok(v text) returns boolean
  language sql immutable parallel safe
  return coalesce(
    validators._cpf_checksum_ok(v, '{1,2,3,5,6,7,9,10,11,13,14}')
    and ltrim(v, substr(v, 1, 1) || '.-') <> ''
    and (v collate "C") ~ '^[0-9]{3}\.[0-9]{3}\.[0-9]{3}-[0-9]{2}$',
    false);

create or replace function validators._cpf_loose_ok(value text) returns boolean
  language plpgsql immutable parallel safe
as $$
declare
  v text := validators._loose(value, ' .-');
begin
  return validators._cpf_compact_ok(v);
end
$$;

create or replace function validators.is_valid_cpf(value text, mode text default 'lenient') returns boolean
  language sql immutable parallel safe
  return case
    when value is null then null
    when mode = 'strict' then validators._cpf_compact_ok(value)
    when mode = 'lenient' then case length(value)
      when 11 then validators._cpf_compact_ok(value)
      when 14 then validators._cpf_masked_ok(value)
      else false end
    when mode = 'loose' then validators._cpf_loose_ok(value)
    else false
  end;

------------------------------------------------------------------------------
-- CNPJ: XX.XXX.XXX/XXXX-00, the 12 X are 0-9 or A-Z (value = ASCII - 48), the
-- check digits are numeric.
------------------------------------------------------------------------------
create or replace function validators._cnpj_checksum_ok(v text, p integer[]) returns boolean
  language sql immutable parallel safe
  return
    ((5 * validators._char_value(v, p[1]) + 4 * validators._char_value(v, p[2]) + 3 * validators._char_value(v, p[3])
      + 2 * validators._char_value(v, p[4]) + 9 * validators._char_value(v, p[5]) + 8 * validators._char_value(v, p[6])
      + 7 * validators._char_value(v, p[7]) + 6 * validators._char_value(v, p[8]) + 5 * validators._char_value(v, p[9])
      + 4 * validators._char_value(v, p[10]) + 3 * validators._char_value(v, p[11]) + 2 * validators._char_value(v, p[12]))
      * 10 % 11) % 10 = validators._char_value(v, p[13])
    and
    ((6 * validators._char_value(v, p[1]) + 5 * validators._char_value(v, p[2]) + 4 * validators._char_value(v, p[3])
      + 3 * validators._char_value(v, p[4]) + 2 * validators._char_value(v, p[5]) + 9 * validators._char_value(v, p[6])
      + 8 * validators._char_value(v, p[7]) + 7 * validators._char_value(v, p[8]) + 6 * validators._char_value(v, p[9])
      + 5 * validators._char_value(v, p[10]) + 4 * validators._char_value(v, p[11]) + 3 * validators._char_value(v, p[12])
      + 2 * validators._char_value(v, p[13]))
      * 10 % 11) % 10 = validators._char_value(v, p[14]);

create or replace function validators._cnpj_compact_ok(v text) returns boolean
  language sql immutable parallel safe
  return coalesce(
    validators._cnpj_checksum_ok(v, '{1,2,3,4,5,6,7,8,9,10,11,12,13,14}')
    and (v collate "C") <> '00000000000000'
    and (v collate "C") ~ '^[0-9A-Z]{12}[0-9]{2}$',
    false);

create or replace function validators._cnpj_masked_ok(v text) returns boolean
  language sql immutable parallel safe
  return coalesce(
    validators._cnpj_checksum_ok(v, '{1,2,4,5,6,8,9,10,12,13,14,15,17,18}')
    and (v collate "C") <> '00.000.000/0000-00'
    and (v collate "C") ~ '^[0-9A-Z]{2}\.[0-9A-Z]{3}\.[0-9A-Z]{3}/[0-9A-Z]{4}-[0-9]{2}$',
    false);

create or replace function validators._cnpj_loose_ok(value text) returns boolean
  language plpgsql immutable parallel safe
as $$
declare
  -- upper() only under COLLATE "C", where it maps ASCII a-z and nothing else: under other
  -- collations it turns 'ı' into 'I' and 'ſ' into 'S' (and 'i' into 'İ' in Turkish).
  -- translate() with a 26-letter list would do too, but costs about 2 us per call.
  v text := upper(validators._loose(value, ' .-/') collate "C");
begin
  return validators._cnpj_compact_ok(v);
end
$$;

create or replace function validators.is_valid_cnpj(value text, mode text default 'lenient') returns boolean
  language sql immutable parallel safe
  return case
    when value is null then null
    when mode = 'strict' then validators._cnpj_compact_ok(value)
    when mode = 'lenient' then case length(value)
      when 14 then validators._cnpj_compact_ok(value)
      when 18 then validators._cnpj_masked_ok(value)
      else false end
    when mode = 'loose' then validators._cnpj_loose_ok(value)
    else false
  end;

------------------------------------------------------------------------------
-- ABN: 00 000 000 000. Weights 10,1,3,...,19 with 1 subtracted from the first
-- digit (hence the - 10), sum a multiple of 89; the first digit is never 0.
------------------------------------------------------------------------------
create or replace function validators._abn_checksum_ok(v text, p integer[]) returns boolean
  language sql immutable parallel safe
  return
    (10 * validators._char_value(v, p[1]) - 10 + validators._char_value(v, p[2]) + 3 * validators._char_value(v, p[3])
      + 5 * validators._char_value(v, p[4]) + 7 * validators._char_value(v, p[5]) + 9 * validators._char_value(v, p[6])
      + 11 * validators._char_value(v, p[7]) + 13 * validators._char_value(v, p[8]) + 15 * validators._char_value(v, p[9])
      + 17 * validators._char_value(v, p[10]) + 19 * validators._char_value(v, p[11])) % 89 = 0;

create or replace function validators._abn_compact_ok(v text) returns boolean
  language sql immutable parallel safe
  return coalesce(
    validators._abn_checksum_ok(v, '{1,2,3,4,5,6,7,8,9,10,11}')
    and (v collate "C") ~ '^[1-9][0-9]{10}$',
    false);

create or replace function validators._abn_masked_ok(v text) returns boolean
  language sql immutable parallel safe
  return coalesce(
    validators._abn_checksum_ok(v, '{1,2,4,5,6,8,9,10,12,13,14}')
    and (v collate "C") ~ '^[1-9][0-9] [0-9]{3} [0-9]{3} [0-9]{3}$',
    false);

create or replace function validators._abn_loose_ok(value text) returns boolean
  language plpgsql immutable parallel safe
as $$
declare
  v text := validators._loose(value, ' ');
begin
  return validators._abn_compact_ok(v);
end
$$;

create or replace function validators.is_valid_abn(value text, mode text default 'lenient') returns boolean
  language sql immutable parallel safe
  return case
    when value is null then null
    when mode = 'strict' then validators._abn_compact_ok(value)
    when mode = 'lenient' then case length(value)
      when 11 then validators._abn_compact_ok(value)
      when 14 then validators._abn_masked_ok(value)
      else false end
    when mode = 'loose' then validators._abn_loose_ok(value)
    else false
  end;

------------------------------------------------------------------------------
-- ACN: 000 000 000. Weights 8..1 over the first 8, check (10 - s mod 10) mod 10;
-- 000 000 000 is not a number.
------------------------------------------------------------------------------
create or replace function validators._acn_checksum_ok(v text, p integer[]) returns boolean
  language sql immutable parallel safe
  return
    (10 - (8 * validators._char_value(v, p[1]) + 7 * validators._char_value(v, p[2]) + 6 * validators._char_value(v, p[3])
      + 5 * validators._char_value(v, p[4]) + 4 * validators._char_value(v, p[5]) + 3 * validators._char_value(v, p[6])
      + 2 * validators._char_value(v, p[7]) + validators._char_value(v, p[8])) % 10) % 10
    = validators._char_value(v, p[9]);

create or replace function validators._acn_compact_ok(v text) returns boolean
  language sql immutable parallel safe
  return coalesce(
    validators._acn_checksum_ok(v, '{1,2,3,4,5,6,7,8,9}')
    and (v collate "C") <> '000000000'
    and (v collate "C") ~ '^[0-9]{9}$',
    false);

create or replace function validators._acn_masked_ok(v text) returns boolean
  language sql immutable parallel safe
  return coalesce(
    validators._acn_checksum_ok(v, '{1,2,3,5,6,7,9,10,11}')
    and (v collate "C") <> '000 000 000'
    and (v collate "C") ~ '^[0-9]{3} [0-9]{3} [0-9]{3}$',
    false);

create or replace function validators._acn_loose_ok(value text) returns boolean
  language plpgsql immutable parallel safe
as $$
declare
  v text := validators._loose(value, ' ');
begin
  return validators._acn_compact_ok(v);
end
$$;

create or replace function validators.is_valid_acn(value text, mode text default 'lenient') returns boolean
  language sql immutable parallel safe
  return case
    when value is null then null
    when mode = 'strict' then validators._acn_compact_ok(value)
    when mode = 'lenient' then case length(value)
      when 9 then validators._acn_compact_ok(value)
      when 11 then validators._acn_masked_ok(value)
      else false end
    when mode = 'loose' then validators._acn_loose_ok(value)
    else false
  end;

------------------------------------------------------------------------------
-- TFN: 000 000 000. Weights 1,4,3,7,5,8,6,9,10, sum a multiple of 11;
-- 000 000 000 is not a number; 8-digit TFNs are not accepted.
------------------------------------------------------------------------------
create or replace function validators._tfn_checksum_ok(v text, p integer[]) returns boolean
  language sql immutable parallel safe
  return
    (validators._char_value(v, p[1]) + 4 * validators._char_value(v, p[2]) + 3 * validators._char_value(v, p[3])
      + 7 * validators._char_value(v, p[4]) + 5 * validators._char_value(v, p[5]) + 8 * validators._char_value(v, p[6])
      + 6 * validators._char_value(v, p[7]) + 9 * validators._char_value(v, p[8]) + 10 * validators._char_value(v, p[9]))
    % 11 = 0;

create or replace function validators._tfn_compact_ok(v text) returns boolean
  language sql immutable parallel safe
  return coalesce(
    validators._tfn_checksum_ok(v, '{1,2,3,4,5,6,7,8,9}')
    and (v collate "C") <> '000000000'
    and (v collate "C") ~ '^[0-9]{9}$',
    false);

create or replace function validators._tfn_masked_ok(v text) returns boolean
  language sql immutable parallel safe
  return coalesce(
    validators._tfn_checksum_ok(v, '{1,2,3,5,6,7,9,10,11}')
    and (v collate "C") <> '000 000 000'
    and (v collate "C") ~ '^[0-9]{3} [0-9]{3} [0-9]{3}$',
    false);

create or replace function validators._tfn_loose_ok(value text) returns boolean
  language plpgsql immutable parallel safe
as $$
declare
  v text := validators._loose(value, ' ');
begin
  return validators._tfn_compact_ok(v);
end
$$;

create or replace function validators.is_valid_tfn(value text, mode text default 'lenient') returns boolean
  language sql immutable parallel safe
  return case
    when value is null then null
    when mode = 'strict' then validators._tfn_compact_ok(value)
    when mode = 'lenient' then case length(value)
      when 9 then validators._tfn_compact_ok(value)
      when 11 then validators._tfn_masked_ok(value)
      else false end
    when mode = 'loose' then validators._tfn_loose_ok(value)
    else false
  end;

------------------------------------------------------------------------------
-- Australian phone numbers: landline 02/03/07/08 or mobile 04 + 8 digits.
-- strict: E.164 (+61 and 9 digits); lenient: also 0XXXXXXXXX, 0412 345 678,
-- (02) 1234 5678, +61 412 345 678, +61 2 1234 5678; loose: trim, delete
-- spaces, hyphens and parentheses, then a +61, 61 or 0 prefix.
------------------------------------------------------------------------------
create or replace function validators.is_valid_au_phone(value text, mode text default 'lenient') returns boolean
  language sql immutable parallel safe
  return case
    when value is null then null
    when mode = 'strict' then coalesce((value collate "C") ~ '^\+61[2-478][0-9]{8}$', false)
    when mode = 'lenient' then coalesce((value collate "C") ~ ('^(\+61[2-478][0-9]{8}|0[2-478][0-9]{8}|04[0-9]{2} [0-9]{3} [0-9]{3}'
      || '|\(0[2378]\) [0-9]{4} [0-9]{4}|\+61 4[0-9]{2} [0-9]{3} [0-9]{3}|\+61 [2378] [0-9]{4} [0-9]{4})$'), false)
    when mode = 'loose' then coalesce((validators._loose(value, ' -()') collate "C") ~ '^(\+61|61|0)[2-478][0-9]{8}$', false)
    else false
  end;

------------------------------------------------------------------------------
-- Domains holding the compact form, for the tables. Created once; a later
-- change to a domain needs its own migration (ALTER DOMAIN).
------------------------------------------------------------------------------
do $$
begin
  if to_regtype('validators.cpf') is null then
    create domain validators.cpf as text constraint cpf_valid check (validators.is_valid_cpf(value, 'strict'));
    comment on domain validators.cpf is 'CPF, compact: 11 digits with valid check digits.';
  end if;
  if to_regtype('validators.cnpj') is null then
    create domain validators.cnpj as text constraint cnpj_valid check (validators.is_valid_cnpj(value, 'strict'));
    comment on domain validators.cnpj is 'CNPJ, compact: 12 characters 0-9/A-Z then 2 check digits.';
  end if;
  if to_regtype('validators.abn') is null then
    create domain validators.abn as text constraint abn_valid check (validators.is_valid_abn(value, 'strict'));
    comment on domain validators.abn is 'ABN, compact: 11 digits, mod 89.';
  end if;
  if to_regtype('validators.acn') is null then
    create domain validators.acn as text constraint acn_valid check (validators.is_valid_acn(value, 'strict'));
    comment on domain validators.acn is 'ACN, compact: 9 digits.';
  end if;
  if to_regtype('validators.tfn') is null then
    create domain validators.tfn as text constraint tfn_valid check (validators.is_valid_tfn(value, 'strict'));
    comment on domain validators.tfn is 'TFN, compact: 9 digits (8-digit TFNs are not accepted).';
  end if;
end
$$;
