-- Migration 4: a contract seeded in steps (100,000 debtors, each step its own transaction, so
-- other tenants are not held up) stays invisible until its last step. While it is being seeded,
-- seeding_until is the lease its seeding holds: renewed at every step, it runs out only when the
-- seeding process died, and the contract is then seeded afresh at its next use.

ALTER TABLE contracts ADD COLUMN seeding_until INSTANT;  -- NULL: the contract is whole
