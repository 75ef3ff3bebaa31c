-- Migration 3: the sales area. Sales (and extended sales) as Cesce rates them, the periods in
-- which each debtor's limit covered its sales, and the endorsements a claims dossier freezes.
-- Amounts are hundredths; DATE and INSTANT are ISO 8601 text.

CREATE TABLE sales (
    tenant              TEXT NOT NULL,
    contract_no         TEXT NOT NULL,
    sale_no             INTEGER NOT NULL,  -- saleCesceReferenceNo
    endorsement_no      INTEGER NOT NULL,  -- the debtor's
    customer_reference  TEXT,
    subsidiary_no       TEXT NOT NULL,
    invoice_no          TEXT NOT NULL,
    invoice_date        DATE NOT NULL,
    acquisition_date    DATE,
    maturity_date       DATE NOT NULL,
    currency_code       TEXT,
    currency_amount     INTEGER NOT NULL,
    payment_method_code TEXT,
    payment_terms       TEXT,
    tax_code_transferor TEXT,
    status_code         TEXT NOT NULL,
    reason_status_code  TEXT NOT NULL,
    accrued_premium     INTEGER NOT NULL,
    maturity_amount     INTEGER NOT NULL,
    original_sale_no    INTEGER,           -- an extended sale: the sale it extends
    collected_amount    INTEGER NOT NULL,
    collection_date     DATE,
    declaration_date    DATE,
    status_date         DATE,
    changed_at          INSTANT NOT NULL,  -- the last change of any kind (a movement)
    PRIMARY KEY (tenant, contract_no, sale_no)
);
CREATE INDEX sales_by_change ON sales (tenant, contract_no, changed_at);
CREATE INDEX sales_by_debtor ON sales (tenant, contract_no, endorsement_no);
CREATE INDEX sales_by_invoice ON sales (tenant, contract_no, invoice_no, maturity_date);

-- When a debtor's limit covered its sales: from since (NULL: before anything the world knows)
-- to the day before until (NULL: it still does). Kept from the risk records as the contract is
-- seeded, then from every firm change the risk area announces.
CREATE TABLE sale_covers (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,  -- of two periods from one date, the order they opened in
    tenant         TEXT NOT NULL,
    contract_no    TEXT NOT NULL,
    endorsement_no INTEGER NOT NULL,
    since          DATE,
    until          DATE
);
CREATE INDEX sale_covers_by_debtor ON sale_covers (tenant, contract_no, endorsement_no);

-- Endorsements with a non-payment (claims) dossier: their sales cannot be modified (rule 5).
CREATE TABLE sale_claims (
    tenant         TEXT NOT NULL,
    contract_no    TEXT NOT NULL,
    endorsement_no INTEGER NOT NULL,
    since          INSTANT NOT NULL,
    PRIMARY KEY (tenant, contract_no, endorsement_no)
);
