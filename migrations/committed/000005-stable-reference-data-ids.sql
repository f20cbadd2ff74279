--! Previous: sha1:0f93b3fe304811963cd13aec26f6be4247694733
--! Hash: sha1:d002896b800f9a0f9c71ca0c3555af1f8307cc89
--! Message: stable reference data ids

-- Reference data gets ids derived from its natural key, not random ones: a world that references a
-- template or a setting then writes the same values on every fresh database, and reports and replays
-- stay byte-stable. Rows something already references keep their id.
update app.templates t set id = md5('app.templates:' || t.name)::uuid
 where t.id <> md5('app.templates:' || t.name)::uuid
   and not exists (select 1 from app.tenant_configs c where c.template_id = t.id);
update config.app_settings s set id = md5('config.app_settings:' || s.key)::uuid
 where s.id <> md5('config.app_settings:' || s.key)::uuid
   and not exists (select 1 from config.app_setting_overrides o where o.setting_id = s.id);
update config.validation_rules r set id = md5('config.validation_rules:' || r.entity || '.' || r.field || '.' || r.rule_type || '.' || coalesce(r.country_code, ''))::uuid
 where r.id <> md5('config.validation_rules:' || r.entity || '.' || r.field || '.' || r.rule_type || '.' || coalesce(r.country_code, ''))::uuid;
