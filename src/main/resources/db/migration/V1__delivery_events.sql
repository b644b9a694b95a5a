-- Public tables (see README "Database"): other systems read these, so change them only by adding.

CREATE TABLE delivery_event (
    event_id        UUID                     NOT NULL PRIMARY KEY,
    provider        VARCHAR(64)              NOT NULL,
    channel         VARCHAR(128)             NOT NULL,
    message_id      VARCHAR(128)             NOT NULL,
    status          VARCHAR(16)              NOT NULL,
    provider_status VARCHAR(128)             NOT NULL,
    error_code      VARCHAR(128),
    occurred_at     TIMESTAMP WITH TIME ZONE,
    received_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    -- per-provider identity of a webhook; for sms.by: channel, message_id and provider_status
    dedup_key       VARCHAR(512)             NOT NULL,
    payload         TEXT                     NOT NULL,
    CONSTRAINT uq_delivery_event_dedup UNIQUE (provider, dedup_key)
);

CREATE INDEX ix_delivery_event_message ON delivery_event (provider, message_id, received_at);

CREATE TABLE message_status (
    provider    VARCHAR(64)              NOT NULL,
    message_id  VARCHAR(128)             NOT NULL,
    channel     VARCHAR(128)             NOT NULL,
    status      VARCHAR(16)              NOT NULL,
    status_rank SMALLINT                 NOT NULL,
    event_id    UUID                     NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_message_status PRIMARY KEY (provider, message_id)
);
