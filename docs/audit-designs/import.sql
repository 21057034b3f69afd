BEGIN;
SELECT CASE WHEN :lock = 1 THEN pg_advisory_xact_lock(42) END;
INSERT INTO items (title, body, quality) SELECT 'imp', body || random()::text, 1 FROM bodies;
INSERT INTO audit (actor, action, entity_id, payload) SELECT 'importer', 'item.imported', g::text, repeat('p', 300) || g FROM generate_series(1,1000) g;
COMMIT;
