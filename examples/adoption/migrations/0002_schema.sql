-- A small shop: stores are the tenants; every other table carries store_id.
create schema shop;
grant usage on schema shop to shop_user;

create table shop.stores (
  id uuid primary key default gen_random_uuid(),
  name text not null
);

create table shop.products (
  store_id uuid not null references shop.stores (id),
  id uuid not null default gen_random_uuid(),
  name text not null,
  price_cents integer not null check (price_cents >= 0),
  primary key (store_id, id)
);

create table shop.orders (
  store_id uuid not null references shop.stores (id),
  id uuid not null default gen_random_uuid(),
  placed_at timestamptz not null default now(),
  primary key (store_id, id)
);

create table shop.order_lines (
  store_id uuid not null references shop.stores (id),
  id uuid not null default gen_random_uuid(),
  order_id uuid not null,
  product_id uuid not null,
  quantity integer not null check (quantity > 0),
  primary key (store_id, id),
  -- the tenant column is part of every key a row points at: a line never references another store's rows
  foreign key (store_id, order_id) references shop.orders (store_id, id),
  foreign key (store_id, product_id) references shop.products (store_id, id)
);
create index on shop.order_lines (store_id, order_id);
create index on shop.order_lines (store_id, product_id);
