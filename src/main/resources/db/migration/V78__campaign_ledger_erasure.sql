-- module: campaigns
-- An erased person's send-ledger rows stay, anonymized, so that a campaign's report keeps its counts (recipients, handed
-- off, skipped, unsubscribed): the address becomes '' and its key 'erased:<row id>', and the row no longer names the
-- subscriber (campaigns.CampaignsPersonalData).
alter table campaign_recipient alter column subscriber_id drop not null;
