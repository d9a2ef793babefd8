-- module: delivery
-- Click and open tracking asked for per message (the send API's trackOpens / trackClicks; off unless asked), and the
-- tracked links of each message, stored once per message, never per recipient: link_number n is the n-th distinct
-- URL of the message's HTML, in the order it first appears; the open pixel is link 0 and has no row. A recipient's
-- copy carries signed tokens (messages.LinkTracking) naming message, recipient and link number, so a tracking
-- endpoint checks a token without a look-up and then finds the URL here by primary key.
alter table outbound_message
  add column track_opens  boolean not null default false,
  add column track_clicks boolean not null default false;

create table outbound_link (
  message_id  bigint not null references outbound_message (id) on delete cascade,
  link_number integer not null check (link_number between 1 and 65535),
  url         text not null,
  primary key (message_id, link_number)
);
