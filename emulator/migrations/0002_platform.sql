-- Migration 2: areas that register themselves. What 0.1 kept in its risk tables for the whole
-- emulator becomes the core's: a generic counter per contract and name, and one due queue of
-- everything that happens later on a tenant's clock. The data moves with it: the contracts'
-- two numbering columns become the risk area's "endorsement" and "request" counters, and a
-- pending request's resolve_at becomes its row in the due queue (ref: its endorsementNo).

ALTER TABLE tenants ADD COLUMN born_at INSTANT;  -- where the tenant's world starts; NULL: seed at first use

CREATE TABLE counters (
    tenant      TEXT NOT NULL,
    contract_no TEXT NOT NULL,
    name        TEXT NOT NULL,     -- what it numbers, in its area's words ("endorsement", "sale"...)
    next        INTEGER NOT NULL,  -- the number the next one gets
    PRIMARY KEY (tenant, contract_no, name)
);
INSERT INTO counters (tenant, contract_no, name, next)
    SELECT tenant, contract_no, 'endorsement', next_endorsement_no FROM contracts;
INSERT INTO counters (tenant, contract_no, name, next)
    SELECT tenant, contract_no, 'request', next_request_no FROM contracts;
ALTER TABLE contracts DROP COLUMN next_endorsement_no;
ALTER TABLE contracts DROP COLUMN next_request_no;

-- Popped in time order across areas when a tenant's world catches up with its clock.
CREATE TABLE due (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant      TEXT NOT NULL,
    contract_no TEXT NOT NULL,
    due_at      INSTANT NOT NULL,
    area        TEXT NOT NULL,  -- the area that carries it out
    ref         TEXT NOT NULL   -- what, in that area's words, within the contract
);
CREATE INDEX due_by_time ON due (tenant, due_at, id);
CREATE INDEX due_by_ref ON due (tenant, contract_no, area, ref);
INSERT INTO due (tenant, contract_no, due_at, area, ref)
    SELECT tenant, contract_no, resolve_at, 'risks', CAST(endorsement_no AS TEXT) FROM debtors
    WHERE resolve_at IS NOT NULL ORDER BY resolve_at, endorsement_no;
DROP INDEX debtors_due;
ALTER TABLE debtors DROP COLUMN resolve_at;
