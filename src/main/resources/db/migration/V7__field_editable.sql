-- A custom field the subscriber may see and change themselves in the preference centre.
alter table custom_field add column subscriber_editable boolean not null default false;
