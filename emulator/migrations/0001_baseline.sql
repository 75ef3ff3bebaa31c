-- Migration 1: the schema of cesce-sandbox 0.1, which kept every area's tables in one file and
-- no schema version. "IF NOT EXISTS" throughout, so a state file made by 0.1 (version 0, its
-- tables already there) passes through unchanged and migration 2 takes it on from there.
-- Every table is scoped by tenant (the OAuth client_id), so one database holds many isolated
-- worlds. DATE and INSTANT are ISO 8601 text.

CREATE TABLE IF NOT EXISTS tenants (
    tenant          TEXT PRIMARY KEY,
    clock_offset    REAL NOT NULL DEFAULT 0,  -- seconds added to the machine's time
    clock_frozen_at INSTANT                   -- set when the tenant's clock is frozen
);

CREATE TABLE IF NOT EXISTS contracts (
    tenant              TEXT NOT NULL,
    contract_no         TEXT NOT NULL,
    policy              TEXT NOT NULL,        -- JSON of the policy settings (mocks/policies.yaml)
    next_endorsement_no INTEGER NOT NULL,     -- sequential number for the next new debtor
    next_request_no     INTEGER NOT NULL,     -- 300xxx number for the next pending re-request
    PRIMARY KEY (tenant, contract_no)
);

-- One row per portfolio record: a debtor's firm limit, or a pending 300xxx request on it.
CREATE TABLE IF NOT EXISTS debtors (
    tenant                        TEXT NOT NULL,
    contract_no                   TEXT NOT NULL,
    endorsement_no                INTEGER NOT NULL,
    country_code                  TEXT NOT NULL,
    tax_code                      TEXT NOT NULL,
    customer_reference            TEXT,
    company_name                  TEXT,
    address                       TEXT,
    city                          TEXT,
    state                         TEXT,
    postal_code                   TEXT,
    phone_no                      TEXT,
    email                         TEXT,
    credit_limit_requested        INTEGER NOT NULL,  -- hundredths
    payment_method_requested_code TEXT,
    payment_terms_requested       TEXT,
    currency_code                 TEXT,
    credit_limit_granted          INTEGER NOT NULL,
    commercial_risk_cover_pct     INTEGER NOT NULL,
    political_risk_cover_pct      INTEGER NOT NULL,
    payment_method_granted_code   TEXT,
    payment_terms_granted         TEXT,
    commercial_risk_group_code    TEXT,
    political_risk_group_code     TEXT,
    classification_decision_code  TEXT,
    status_code                   TEXT NOT NULL,
    cesce_code                    TEXT,
    request_entry_date            DATE,
    effective_date                DATE,
    cancellation_date             DATE,
    validity_date                 DATE,
    classification_date           DATE,
    validity_reason_code          TEXT,
    comments_ind                  TEXT,
    cover_cost                    INTEGER NOT NULL,
    cover_duration                TEXT,
    pending_of                    INTEGER,  -- a 300xxx request: the endorsement it will merge into
    resolve_at                    INSTANT,  -- a pending request: when Cesce decides it
    changed_at                    INSTANT,  -- the last firm change (what movements lists)
    PRIMARY KEY (tenant, contract_no, endorsement_no)
);
CREATE INDEX IF NOT EXISTS debtors_by_tax ON debtors (tenant, contract_no, country_code, tax_code);
CREATE INDEX IF NOT EXISTS debtors_by_reference ON debtors (tenant, contract_no, customer_reference);
CREATE INDEX IF NOT EXISTS debtors_by_change ON debtors (tenant, contract_no, changed_at);
CREATE INDEX IF NOT EXISTS debtors_by_pending ON debtors (tenant, contract_no, pending_of);
CREATE INDEX IF NOT EXISTS debtors_due ON debtors (tenant, resolve_at);

CREATE TABLE IF NOT EXISTS tokens (
    token      TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,    -- access | refresh
    tenant     TEXT NOT NULL,
    catalog    TEXT NOT NULL,
    scope      TEXT NOT NULL,
    issued_at  INSTANT NOT NULL,
    expires_at INSTANT NOT NULL,
    revoked    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS tokens_by_tenant ON tokens (tenant);

-- Every request to a business route or the token endpoint, with what the emulator saw in it.
CREATE TABLE IF NOT EXISTS journal (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant     TEXT NOT NULL,
    at         INSTANT NOT NULL,  -- on the tenant's clock
    catalog    TEXT NOT NULL,
    operation  TEXT NOT NULL,
    method     TEXT NOT NULL,
    path       TEXT NOT NULL,
    query      TEXT NOT NULL,     -- JSON
    request    TEXT,              -- JSON, or the raw text when it was not JSON
    status     INTEGER NOT NULL,
    response   TEXT NOT NULL,     -- JSON summary: error code, paging fields, record count
    token      TEXT,              -- a short reference to the bearer token used
    findings   TEXT NOT NULL      -- JSON list of conformance warnings
);
CREATE INDEX IF NOT EXISTS journal_by_tenant ON journal (tenant, id);

-- Injected gateway failures, latency and clock jumps, consumed by the requests they match.
CREATE TABLE IF NOT EXISTS faults (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant      TEXT NOT NULL,
    operation   TEXT,             -- an operationId, "token", or NULL for any
    method      TEXT,
    status      INTEGER,          -- NULL: latency only
    retry_after INTEGER,
    latency_ms  INTEGER NOT NULL DEFAULT 0,
    advance     TEXT,             -- an ISO 8601 duration the tenant's clock jumps when it fires
    skip        INTEGER NOT NULL DEFAULT 0,  -- matching requests to let through first
    remaining   INTEGER NOT NULL  -- requests still to affect
);
CREATE INDEX IF NOT EXISTS faults_by_tenant ON faults (tenant, id);
