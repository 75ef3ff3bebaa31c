BEGIN TRANSACTION;
CREATE TABLE contracts (
    tenant              TEXT NOT NULL,
    contract_no         TEXT NOT NULL,
    policy              TEXT NOT NULL,        -- JSON of the policy settings (mocks/policies.yaml)
    next_endorsement_no INTEGER NOT NULL,     -- sequential number for the next new debtor
    next_request_no     INTEGER NOT NULL,     -- 300xxx number for the next pending re-request
    PRIMARY KEY (tenant, contract_no)
);
INSERT INTO "contracts" VALUES('migrating-erp','10100000001','{"modality": "MASTER ORO", "ppc": false, "autoGrantThreshold": "60000,00", "committeeDelay": "PT604800S", "committeeGrantRatio": 0.75, "commercialRiskCoverPct": "90,00", "politicalRiskCoverPct": "90,00", "premiumRate": "0,30", "description": "CESCE MASTER ORO, full cover (Cobertura Total)"}',117,300003);
INSERT INTO "contracts" VALUES('migrating-erp','20000000003','{"modality": "MASTER ORO", "ppc": false, "autoGrantThreshold": "60000,00", "committeeDelay": "PT604800S", "committeeGrantRatio": 0.75, "commercialRiskCoverPct": "90,00", "politicalRiskCoverPct": "90,00", "premiumRate": "0,30", "description": "CESCE MASTER ORO, full cover (Cobertura Total)"}',101,300002);
CREATE TABLE debtors (
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
INSERT INTO "debtors" VALUES('migrating-erp','10100000001',100,'ES','B10000100','CLI-0100','FERRETERIAS DEL NORTE SL',NULL,'BILBAO','BIZKAIA','48001',NULL,NULL,5000000,NULL,'90','EUR',4000000,9000,9000,NULL,'90',NULL,NULL,'30','2','586047001','2024-02-15','2026-01-15',NULL,NULL,'2026-01-15',NULL,'N',0,NULL,NULL,NULL,'2026-01-15T11:00:00.000000Z');
INSERT INTO "debtors" VALUES('migrating-erp','10100000001',101,'ES','B10000101','CLI-0101','DISTRIBUCIONES LEVANTE SA',NULL,'VALENCIA','VALENCIA','46001',NULL,NULL,3000000,NULL,'60','EUR',3000000,9000,9000,NULL,'60',NULL,NULL,'01','2','730069135','2026-01-14','2026-01-14',NULL,NULL,'2026-01-14',NULL,'N',0,NULL,NULL,NULL,'2026-01-14T13:00:00.000000Z');
INSERT INTO "debtors" VALUES('migrating-erp','10100000001',102,'ES','B10000102','CLI-0102','TALLERES EBRO SL',NULL,'ZARAGOZA','ZARAGOZA','50001',NULL,NULL,2500000,NULL,NULL,'EUR',0,0,0,NULL,NULL,NULL,NULL,'20','66','001446709','2026-01-05',NULL,NULL,NULL,'2026-01-05',NULL,'N',0,NULL,NULL,NULL,'2026-01-05T09:00:00.000000Z');
INSERT INTO "debtors" VALUES('migrating-erp','10100000001',103,'ES','B10000103','CLI-0103','CONSTRUCCIONES MESETA SL',NULL,'VALLADOLID','VALLADOLID','47001',NULL,NULL,4000000,NULL,NULL,'EUR',0,0,0,NULL,NULL,NULL,NULL,'40','10','287122339','2026-01-10',NULL,'2026-01-10',NULL,'2026-01-10',NULL,'N',0,NULL,NULL,NULL,'2026-01-10T09:00:00.000000Z');
INSERT INTO "debtors" VALUES('migrating-erp','10100000001',104,'ES','A10000104','CLI-0104','CONSERVAS ATLANTICO SA',NULL,'VIGO','PONTEVEDRA','36201',NULL,NULL,4000000,NULL,NULL,'EUR',1500000,9000,9000,NULL,NULL,NULL,NULL,'30','2','948823749','2026-01-15','2026-01-15',NULL,NULL,'2026-01-15',NULL,'N',0,NULL,NULL,NULL,'2026-01-15T03:00:00.000000Z');
INSERT INTO "debtors" VALUES('migrating-erp','10100000001',105,'ES','B10000105','CLI-0105','NUEVA TECNOLOGIA VERDE SL',NULL,'MADRID','MADRID','28001',NULL,NULL,2000000,NULL,NULL,'EUR',0,0,0,NULL,NULL,NULL,NULL,'11','1','782152854','2026-01-13',NULL,NULL,NULL,NULL,NULL,'N',0,NULL,NULL,'2026-01-20T09:00:00.000000Z',NULL);
INSERT INTO "debtors" VALUES('migrating-erp','10100000001',106,'ES','A10000106','CLI-0106','TEXTILES MEDITERRANEO SA',NULL,'BARCELONA','BARCELONA','08001',NULL,NULL,5000000,NULL,NULL,'EUR',5000000,9000,9000,NULL,NULL,NULL,NULL,'01','2','089138665','2025-06-29','2025-06-29',NULL,NULL,'2025-06-29',NULL,'N',0,NULL,NULL,NULL,'2025-06-29T09:00:00.000000Z');
INSERT INTO "debtors" VALUES('migrating-erp','10100000001',300001,'ES','A10000106','CLI-0106','TEXTILES MEDITERRANEO SA',NULL,'BARCELONA','BARCELONA','08001',NULL,NULL,15000000,NULL,NULL,'EUR',0,0,0,NULL,NULL,NULL,NULL,'10','1','089138665','2026-01-14',NULL,NULL,NULL,NULL,NULL,'N',0,NULL,106,'2026-01-21T09:00:00.000000Z',NULL);
INSERT INTO "debtors" VALUES('migrating-erp','10100000001',107,'PT','507000107','CLI-0107','LOGISTICA DO PORTO LDA',NULL,'PORTO',NULL,'4000-001',NULL,NULL,2500000,NULL,NULL,'EUR',2500000,9000,9000,NULL,NULL,NULL,NULL,'01','2','804941017','2025-11-16','2025-11-16',NULL,NULL,'2025-11-16',NULL,'N',0,NULL,NULL,NULL,'2025-11-16T09:00:00.000000Z');
INSERT INTO "debtors" VALUES('migrating-erp','10100000001',108,'FR','FR40300000108','CLI-0108','BATIMENTS DE LYON SA',NULL,'LYON',NULL,'69001',NULL,NULL,3500000,NULL,NULL,'EUR',0,0,0,NULL,NULL,NULL,NULL,'41','10','313694716','2026-01-14',NULL,'2026-01-14',NULL,'2026-01-14',NULL,'N',0,NULL,NULL,NULL,'2026-01-14T03:00:00.000000Z');
INSERT INTO "debtors" VALUES('migrating-erp','10100000001',109,'ES','B10000109',NULL,'PAPELERAS DEL SUR SL',NULL,'SEVILLA','SEVILLA','41001',NULL,NULL,1000000,NULL,NULL,'EUR',0,0,0,NULL,NULL,NULL,NULL,'21','66','892104893','2026-01-13',NULL,NULL,NULL,'2026-01-13',NULL,'N',0,NULL,NULL,NULL,'2026-01-13T17:00:00.000000Z');
INSERT INTO "debtors" VALUES('migrating-erp','10100000001',110,'ES','B10000110','CLI-0110','ACEITES DE JAEN SL',NULL,'JAEN','JAEN','23001',NULL,NULL,3000000,NULL,NULL,'EUR',2000000,9000,9000,NULL,NULL,NULL,NULL,'02','2','433401688','2025-10-17','2025-10-17',NULL,NULL,'2025-10-17',NULL,'N',0,NULL,NULL,NULL,'2025-10-17T09:00:00.000000Z');
INSERT INTO "debtors" VALUES('migrating-erp','10100000001',111,'ES','A10000111','CLI-0111','NAVIERA DEL CANTABRICO SA',NULL,'SANTANDER','CANTABRIA','39001',NULL,NULL,20000000,NULL,NULL,'EUR',15000000,9000,9000,NULL,NULL,NULL,NULL,'03','2','184151307','2025-12-01','2025-12-01',NULL,NULL,'2025-12-01',NULL,'N',0,NULL,NULL,NULL,'2025-12-01T09:00:00.000000Z');
INSERT INTO "debtors" VALUES('migrating-erp','10100000001',112,'VE','J000000112','CLI-0112','COMERCIALIZADORA CARACAS CA',NULL,'CARACAS',NULL,NULL,NULL,NULL,3000000,NULL,NULL,'EUR',0,0,0,NULL,NULL,NULL,NULL,'12','1','810173149','2026-01-12',NULL,NULL,NULL,NULL,NULL,'N',0,NULL,NULL,'2026-01-26T09:00:00.000000Z',NULL);
INSERT INTO "debtors" VALUES('migrating-erp','10100000001',113,'ES','B10000113','CLI-0113','REFORMAS EXPRESS SL',NULL,'MURCIA','MURCIA','30001',NULL,NULL,1500000,NULL,NULL,'EUR',0,0,0,NULL,NULL,NULL,NULL,'22','66','437392098','2025-12-26',NULL,NULL,NULL,'2025-12-26',NULL,'N',0,NULL,NULL,NULL,'2025-12-26T09:00:00.000000Z');
INSERT INTO "debtors" VALUES('migrating-erp','10100000001',114,'ES','B10000114','CLI-0114','INMOBILIARIA DEL PUERTO SL',NULL,'MALAGA','MALAGA','29001',NULL,NULL,9000000,NULL,NULL,'EUR',0,0,0,NULL,NULL,NULL,NULL,'23','66','418900801','2025-12-16',NULL,NULL,NULL,'2025-12-16',NULL,'N',0,NULL,NULL,NULL,'2025-12-16T09:00:00.000000Z');
INSERT INTO "debtors" VALUES('migrating-erp','10100000001',115,'ES','B20000001','MIG-1','MAYORISTAS REUNIDOS SL',NULL,NULL,NULL,NULL,NULL,NULL,2500000,NULL,NULL,'EUR',2500000,9000,9000,NULL,NULL,NULL,NULL,'01','2','771023195','2026-01-15','2026-01-15',NULL,NULL,'2026-01-15',NULL,'N',0,NULL,NULL,NULL,'2026-01-15T09:00:00.000000Z');
INSERT INTO "debtors" VALUES('migrating-erp','10100000001',300002,'ES','B10000101','CLI-0101','DISTRIBUCIONES LEVANTE SA',NULL,'VALENCIA','VALENCIA','46001',NULL,NULL,9000000,NULL,NULL,'EUR',0,0,0,NULL,NULL,NULL,NULL,'10','1','730069135','2026-01-15',NULL,NULL,NULL,NULL,NULL,'N',0,NULL,101,'2026-01-22T09:00:00.000000Z',NULL);
INSERT INTO "debtors" VALUES('migrating-erp','10100000001',116,'ES','B20000005',NULL,'STARTUP RECIENTE SL',NULL,NULL,NULL,NULL,NULL,NULL,2000000,NULL,NULL,'EUR',0,0,0,NULL,NULL,NULL,NULL,'11','1','714679618','2026-01-15',NULL,NULL,NULL,NULL,NULL,'N',0,NULL,NULL,'2026-01-22T09:00:00.000000Z',NULL);
INSERT INTO "debtors" VALUES('migrating-erp','20000000003',100,'ES','B50000100','GUIDE-100','DEUDOR DE LA GUIA SL',NULL,NULL,NULL,NULL,NULL,NULL,5000000,NULL,NULL,'EUR',5000000,9000,9000,NULL,NULL,NULL,NULL,'01','2','374991075','2024-03-01','2024-03-01',NULL,NULL,'2024-03-01',NULL,'N',0,NULL,NULL,NULL,'2024-03-01T10:00:00.000000Z');
INSERT INTO "debtors" VALUES('migrating-erp','20000000003',300001,'ES','B50000100','GUIDE-100','DEUDOR DE LA GUIA SL',NULL,NULL,NULL,NULL,NULL,NULL,10000000,NULL,NULL,'EUR',0,0,0,NULL,NULL,NULL,NULL,'10','1','374991075','2026-01-14',NULL,NULL,NULL,NULL,NULL,'N',0,NULL,100,'2026-01-21T09:00:00.000000Z',NULL);
CREATE TABLE faults (
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
CREATE TABLE journal (
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
INSERT INTO "journal" VALUES(1,'migrating-erp','2026-01-15T09:00:00.000000Z','dev','token','POST','/dev/oauth2/v1/token','{}','grant_type=password&client_id=migrating-erp&client_secret=***&username=u&password=***',200,'{"token": "eaac00d2572a", "scope": "create read update delete"}',NULL,'[]');
INSERT INTO "journal" VALUES(2,'migrating-erp','2026-01-15T09:00:00.000000Z','dev','createClassification','POST','/dev/classifications/v1/contracts/10100000001/classifications','{}','{"debtor": {"countryCode": "ES", "creditLimitRequested": "25000,00", "customerReference": "MIG-1", "taxCode": "B20000001"}}',201,'{"errorCode": "0", "debtor": {"endorsementNo": "115", "statusCode": "2", "creditLimitGranted": "25000,00"}}','eaac00d2572a','[]');
INSERT INTO "journal" VALUES(3,'migrating-erp','2026-01-15T09:00:00.000000Z','dev','createClassification','POST','/dev/classifications/v1/contracts/10100000001/classifications','{}','{"debtor": {"creditLimitRequested": "90000,00", "endorsementNo": "101"}}',201,'{"errorCode": "0", "debtor": {"endorsementNo": "300002", "statusCode": "1", "creditLimitGranted": "0,00"}}','eaac00d2572a','[]');
INSERT INTO "journal" VALUES(4,'migrating-erp','2026-01-15T09:00:00.000000Z','dev','createClassification','POST','/dev/classifications/v1/contracts/10100000001/classifications','{}','{"debtor": {"countryCode": "ES", "creditLimitRequested": "20000,00", "taxCode": "B20000005"}}',201,'{"errorCode": "0", "debtor": {"endorsementNo": "116", "statusCode": "1", "creditLimitGranted": "0,00"}}','eaac00d2572a','[]');
CREATE TABLE tenants (
    tenant          TEXT PRIMARY KEY,
    clock_offset    REAL NOT NULL DEFAULT 0,  -- seconds added to the machine's time
    clock_frozen_at INSTANT                   -- set when the tenant's clock is frozen
);
INSERT INTO "tenants" VALUES('migrating-erp',0.0,'2026-01-15T11:00:00.000000Z');
CREATE TABLE tokens (
    token      TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,    -- access | refresh
    tenant     TEXT NOT NULL,
    catalog    TEXT NOT NULL,
    scope      TEXT NOT NULL,
    issued_at  INSTANT NOT NULL,
    expires_at INSTANT NOT NULL,
    revoked    INTEGER NOT NULL DEFAULT 0
);
INSERT INTO "tokens" VALUES('sffH1Cmct0UfmM4fp03ywKMopQW-vLLwtj62ewrIGa4','access','migrating-erp','dev','create read update delete','2026-01-15T09:00:00.000000Z','2026-01-15T10:00:00.000000Z',0);
INSERT INTO "tokens" VALUES('tE7JJVA8St7qT1STMLE0GTvBZs5FuyHAXCmXIPAlyliQ8UnsZqrF7kILFMU4Rh4O','refresh','migrating-erp','dev','create read update delete','2026-01-15T09:00:00.000000Z','2026-02-14T09:00:00.000000Z',0);
CREATE INDEX debtors_by_tax ON debtors (tenant, contract_no, country_code, tax_code);
CREATE INDEX debtors_by_reference ON debtors (tenant, contract_no, customer_reference);
CREATE INDEX debtors_by_change ON debtors (tenant, contract_no, changed_at);
CREATE INDEX debtors_by_pending ON debtors (tenant, contract_no, pending_of);
CREATE INDEX debtors_due ON debtors (tenant, resolve_at);
CREATE INDEX tokens_by_tenant ON tokens (tenant);
CREATE INDEX journal_by_tenant ON journal (tenant, id);
CREATE INDEX faults_by_tenant ON faults (tenant, id);
DELETE FROM "sqlite_sequence";
INSERT INTO "sqlite_sequence" VALUES('journal',4);
COMMIT;
