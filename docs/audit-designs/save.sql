\set id random(1, 10000)
BEGIN;
SELECT CASE WHEN :lock = 1 THEN pg_advisory_xact_lock(42) END;
UPDATE items SET quality = quality + 1 WHERE id = :id;
INSERT INTO audit (actor, action, entity_id, payload) VALUES ('editor', 'item.edited', :id, repeat('e', 400) || :id);
COMMIT;
