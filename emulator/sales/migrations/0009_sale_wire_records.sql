-- Migration 9: each sale keeps its wire form beside it, as JSON text written with every change
-- of the sale, so that a sales list page of 500 is joined rather than rendered field by field
-- (as the classification records do since migration 5). Sales of an older file have none until
-- their next change; they are rendered when read.

ALTER TABLE sales ADD COLUMN wire TEXT;
