-- Migration 5: each classification record keeps its wire form beside it, as JSON text written
-- with every change of the record, so that a page of 500 is joined rather than rendered field by
-- field. Records of an older file have none until their next change; they are rendered when read.

ALTER TABLE debtors ADD COLUMN wire TEXT;
