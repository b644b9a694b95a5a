-- Fencing: every claim adds one, and a dispatcher records an outcome (or renews its lease) only
-- while the row is still pending, still claimed by it and still at the version its claim set, so
-- an instance whose lease ran out cannot overwrite the result of the one that took the row over.
ALTER TABLE outbox ADD COLUMN claim_version BIGINT DEFAULT 0 NOT NULL;

-- state first: the operations API's list, the metrics scrape and the shutdown release ask for one
-- state ('pending', 'dead') and must not scan the entries of every delivered row; the claim query
-- (state, sink, then next_attempt_at in order) uses it as it used the old one.
DROP INDEX ix_outbox_due;
CREATE INDEX ix_outbox_state_due ON outbox (state, sink, next_attempt_at);
