-- Migration 6: what a client's error paths need. A fault may answer Cesce's error envelope (an
-- errorCode and its text, at the status it names, 200 included) and carry Cesce-side events
-- to apply when it fires; a tenant may have settings of its own (its page size, a list whose
-- full last page is followed by an empty one), read by the gateway on each of its requests.

ALTER TABLE faults ADD COLUMN error_code TEXT;         -- set: answer Cesce's envelope with it
ALTER TABLE faults ADD COLUMN error_description TEXT;  -- NULL: the code's text in mocks/
ALTER TABLE faults ADD COLUMN events TEXT;             -- JSON list of Cesce-side events

CREATE TABLE tenant_settings (
    tenant TEXT NOT NULL,
    name   TEXT NOT NULL,  -- as the operator surface names it ("pageSize")
    value  TEXT NOT NULL,  -- JSON
    PRIMARY KEY (tenant, name)
);
