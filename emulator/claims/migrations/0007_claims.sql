-- Migration 7: the claims area. Dossiers (expedientes de siniestro), the non-payments declared
-- in them, the documents each asks for, settlements, recoveries, processing steps and recovery
-- procedures; and the amounts each debtor's limit had from each date on, which the cover
-- analysis reads. Amounts are hundredths; DATE is ISO 8601 text.

CREATE TABLE claim_dossiers (
    tenant                   TEXT NOT NULL,
    contract_no              TEXT NOT NULL,
    dossier_no               INTEGER NOT NULL,
    endorsement_no           INTEGER NOT NULL,
    customer_reference       TEXT,
    status_code              TEXT NOT NULL,
    opening_date             DATE NOT NULL,
    status_date              DATE NOT NULL,
    closing_date             DATE,
    cover_pct                INTEGER NOT NULL,  -- hundredths of a percent: 9000 is 90,00 %
    unpaid_amount            INTEGER NOT NULL,
    covered_amount           INTEGER NOT NULL,
    not_covered_amount       INTEGER NOT NULL,
    indemnifiable_amount     INTEGER NOT NULL,
    non_indemnifiable_amount INTEGER NOT NULL,
    indemnified_amount       INTEGER NOT NULL,
    recovered_amount         INTEGER NOT NULL,
    cesce_recovered_amount   INTEGER NOT NULL,
    insured_recovered_amount INTEGER NOT NULL,
    PRIMARY KEY (tenant, contract_no, dossier_no)
);
CREATE INDEX claim_dossiers_by_debtor ON claim_dossiers (tenant, contract_no, endorsement_no);

CREATE TABLE claim_non_payments (
    tenant                   TEXT NOT NULL,
    contract_no              TEXT NOT NULL,
    dossier_no               INTEGER NOT NULL,
    internal_no              INTEGER NOT NULL,
    sale_cesce_reference_no  INTEGER NOT NULL,
    invoice_no               TEXT NOT NULL,
    invoice_date             DATE,
    maturity_date            DATE,
    unpaid_amount            INTEGER NOT NULL,
    declaration_date         DATE NOT NULL,
    status_code              TEXT NOT NULL,
    analysis_type_code       TEXT NOT NULL,
    analysis_date            DATE,
    credit_limit_applied     INTEGER NOT NULL,
    covered_amount           INTEGER NOT NULL,
    not_covered_amount       INTEGER NOT NULL,
    indemnifiable_amount     INTEGER NOT NULL,
    non_indemnifiable_amount INTEGER NOT NULL,
    interest_amount          INTEGER NOT NULL,
    settlement_no            INTEGER,
    PRIMARY KEY (tenant, contract_no, dossier_no, internal_no)
);
CREATE INDEX claim_non_payments_by_sale ON claim_non_payments (tenant, contract_no, sale_cesce_reference_no);

CREATE TABLE claim_documents (
    tenant             TEXT NOT NULL,
    contract_no        TEXT NOT NULL,
    document_no        INTEGER NOT NULL,
    dossier_no         INTEGER NOT NULL,
    internal_no        INTEGER,            -- NULL: a document of the dossier as a whole
    document_type_code TEXT NOT NULL,
    status_code        TEXT NOT NULL,
    request_date       DATE NOT NULL,
    deadline_date      DATE NOT NULL,
    status_date        DATE NOT NULL,
    file_name          TEXT,
    content_type       TEXT,
    size_bytes         INTEGER,
    sha256             TEXT,
    rejection_reason   TEXT,
    PRIMARY KEY (tenant, contract_no, document_no)
);
CREATE INDEX claim_documents_by_dossier ON claim_documents (tenant, contract_no, dossier_no);

CREATE TABLE claim_settlements (
    tenant                 TEXT NOT NULL,
    contract_no            TEXT NOT NULL,
    settlement_no          INTEGER NOT NULL,
    dossier_no             INTEGER NOT NULL,
    settlement_status_code TEXT NOT NULL,
    settlement_date        DATE NOT NULL,
    payment_date           DATE,
    amt_prin_indemnified   INTEGER NOT NULL,
    amt_int_indemnified    INTEGER NOT NULL,
    currency_code          TEXT,
    PRIMARY KEY (tenant, contract_no, settlement_no)
);
CREATE INDEX claim_settlements_by_dossier ON claim_settlements (tenant, contract_no, dossier_no);

CREATE TABLE claim_recoveries (
    tenant          TEXT NOT NULL,
    contract_no     TEXT NOT NULL,
    dossier_no      INTEGER NOT NULL,
    recovery_no     INTEGER NOT NULL,
    recovery_date   DATE NOT NULL,
    recovered_amount INTEGER NOT NULL,
    cesce_amount    INTEGER NOT NULL,
    insured_amount  INTEGER NOT NULL,
    PRIMARY KEY (tenant, contract_no, dossier_no, recovery_no)
);

-- Processing steps (kind 'processing') and recovery procedures (kind 'recovery') of a dossier.
CREATE TABLE claim_steps (
    tenant      TEXT NOT NULL,
    contract_no TEXT NOT NULL,
    dossier_no  INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    step_no     INTEGER NOT NULL,
    step_code   TEXT NOT NULL,
    step_date   DATE NOT NULL,
    reference   TEXT,
    PRIMARY KEY (tenant, contract_no, dossier_no, kind, step_no)
);

-- The amount each debtor's limit covered from a date on (0: nothing), kept from the risk
-- records as a contract is seeded and from every firm change the risk area announces: a sale
-- is covered by the limit of its own date, not by today's.
CREATE TABLE claim_limits (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,  -- the order entries were taken in: of one date, the later wins
    tenant         TEXT NOT NULL,
    contract_no    TEXT NOT NULL,
    endorsement_no INTEGER NOT NULL,
    since          DATE,
    amount         INTEGER NOT NULL
);
CREATE INDEX claim_limits_by_debtor ON claim_limits (tenant, contract_no, endorsement_no);
