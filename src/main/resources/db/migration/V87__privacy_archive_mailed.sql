-- module: privacy
-- A self-service access request's archive link is mailed to the person when the request completes: a step of its history.
alter table privacy_request_step drop constraint privacy_request_step_action_check;
alter table privacy_request_step add constraint privacy_request_step_action_check
  check (action in ('received', 'verified', 'started', 'extended', 'completed', 'rejected',
                    'rectified', 'restricted', 'lifted', 'archive_mailed', 'archive_downloaded', 'note'));
