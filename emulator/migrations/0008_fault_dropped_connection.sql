-- Migration 8: a fault may drop the connection after the request is carried out, so that a
-- client meets what a network failure leaves it with: Cesce did the work (a sale declared),
-- and the client never heard.

ALTER TABLE faults ADD COLUMN drop_connection INTEGER NOT NULL DEFAULT 0;  -- 1: answer nothing
