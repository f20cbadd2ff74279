-- The store comes from a transaction-local setting: unset or empty gives no rows, never all rows.
create function shop.current_store() returns uuid
  language sql stable
  set search_path = ''
  as $$ select nullif(current_setting('shop.store_id', true), '')::uuid $$;
grant execute on function shop.current_store() to shop_user;

grant select on shop.stores to shop_user;
alter table shop.stores enable row level security;
alter table shop.stores force row level security;
create policy stores_own on shop.stores for select to shop_user using (id = shop.current_store());

grant select, insert, update, delete on shop.products, shop.orders, shop.order_lines to shop_user;

alter table shop.products enable row level security;
alter table shop.products force row level security;
create policy products_own on shop.products for all to shop_user
  using (store_id = shop.current_store()) with check (store_id = shop.current_store());

alter table shop.orders enable row level security;
alter table shop.orders force row level security;
create policy orders_own on shop.orders for all to shop_user
  using (store_id = shop.current_store()) with check (store_id = shop.current_store());

alter table shop.order_lines enable row level security;
alter table shop.order_lines force row level security;
create policy order_lines_own on shop.order_lines for all to shop_user
  using (store_id = shop.current_store()) with check (store_id = shop.current_store());
