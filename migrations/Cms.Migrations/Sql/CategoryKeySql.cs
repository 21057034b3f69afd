namespace Cms.Migrations.Sql;

// REVIEW11 R11-4: cms_category_key() (CategoryCaseSql, landed) folded the name as stored (NFC) code
// point by code point, so a letter whose capital has no precomposed form got two keys: "ǰ"
// (U+01F0) folds to itself, its capital "J" + U+030C to "j" + U+030C, which NFC leaves apart. The
// key is now Unicode's canonical caseless match (D145), as UnicodeText.CaseKey computes it: the NFD
// form folded with the same table, then NFC. PostgreSQL's normalize() follows its own Unicode
// version; CategoryCaseTests checks the function against the C# rule over every code point and
// its NFD form.
//
// Up, in the migration's transaction:
// 1. the function replaced;
// 2. every category an item carries that the list lacks under the key (an accepted source revision
//    stored such names until R11-2) joins the list, in the spelling of its oldest item, as the
//    import adds one (category.created, fromImport, by the system actor): from here on an item's
//    category is always the list's spelling, which the queue filter compares;
// 3. the twins the new key reveals merged as CategoriesOneRegardlessOfCase merged them
//    (CategoryCaseSql.Merge, landed: the oldest entry kept, items re-spelled and touched, audited),
//    which also re-spells items that carry an unlisted case twin of a listed category;
// 4. the stored key column recomputed (UPDATE ... SET name = name), its unique index dropped first
//    and built again after, so that no row meets another's old key half way;
// 5. the same for topics when their key column is computed by this function (POLISH10's
//    TopicsOneRegardlessOfCase, merged in either order): twins merged as a person's merge would,
//    audited (topic.merged, item.topics-merged), the column recomputed; and any other index whose
//    expression calls the function (delivery's topic keys) rebuilt.
// Idempotent: a second run finds nothing to list, no twins, and the same keys.
public static class CategoryKeySql
{
    public const string Actor = CategoryCaseSql.Actor;

    public const string KeyFunction = $$"""
        CREATE OR REPLACE FUNCTION cms_category_key(name text) RETURNS text
          LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
          RETURN normalize(translate(normalize(name, NFD), '{{CategoryCaseSql.Folded}}', '{{CategoryCaseSql.Keys}}'), NFC);
        """;

    // An audit event by the system actor, in the migration's transaction (as CategoryCaseSql's).
    private const string AuditFunction = $$"""
        CREATE FUNCTION pg_temp.cms_audit(kind text, action text, target text, data json) RETURNS void LANGUAGE sql AS
        $f$ INSERT INTO audit_events (at, actor_id, actor, action, entity_type, entity_id, ip, request_id, payload)
            SELECT now(), NULL, '{{Actor}}', action, kind, target, NULL, NULL,
                   json_build_object('v', 1, 'at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                     'actorId', NULL::text, 'actor', '{{Actor}}', 'action', action, 'targetType', kind, 'targetId', target,
                     'ip', NULL::text, 'requestId', NULL::text, 'data', data)::text $f$;
        """;

    // Names longer than the list's column stay off it, as the import leaves them (ImportRules).
    public const string ListItemCategories = $$"""
        {{AuditFunction}}

        -- Each spelling once (one pass over items), then keyed: the list is small.
        CREATE TEMP TABLE cms_category_listed AS
          WITH spellings AS (
            SELECT category AS name, min(id) AS first FROM items
            WHERE category IS NOT NULL AND length(category) <= 100 GROUP BY category),
          keyed AS (SELECT name, first, cms_category_key(name) AS key FROM spellings)
          SELECT DISTINCT ON (k.key) k.name FROM keyed k
          WHERE NOT EXISTS (SELECT 1 FROM categories c WHERE cms_category_key(c.name) = k.key)
          ORDER BY k.key, k.first;
        WITH created AS (
          INSERT INTO categories (name, from_import) SELECT name, true FROM cms_category_listed ORDER BY name
          ON CONFLICT DO NOTHING RETURNING id, name)
        SELECT pg_temp.cms_audit('category', 'category.created', id::text, json_build_object('name', name, 'fromImport', true,
                 'reason', 'an item carries it: an item''s category is always in the list'))
        FROM created ORDER BY id;

        DROP TABLE cms_category_listed;
        DROP FUNCTION pg_temp.cms_audit(text, text, text, json);
        """;

    public const string RecomputeCategories = """
        DROP INDEX ix_categories_normalized_name;
        UPDATE categories SET name = name;
        CREATE UNIQUE INDEX ix_categories_normalized_name ON categories (normalized_name);
        """;

    // Topics, when POLISH10's key column (computed by cms_category_key) exists; the merge as
    // TopicCaseSql does it there (a person's merge: TopicAdministration.MergeAsync).
    public const string Topics = $$"""
        {{AuditFunction}}

        DO $do$
        DECLARE
          ix record;
        BEGIN
          IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'topics'
                     AND column_name = 'normalized_name' AND generation_expression LIKE '%cms_category_key%') THEN
            CREATE TEMP TABLE cms_topic_merge AS
              SELECT g.id AS from_id, g.name AS from_name, g.kept AS into_id,
                     (SELECT count(*) FROM item_topics it WHERE it.topic_id = g.id) AS items
              FROM (SELECT id, name, min(id) OVER (PARTITION BY cms_category_key(name)) AS kept FROM topics) g
              WHERE g.id <> g.kept;
            CREATE TEMP TABLE cms_topic_item AS
              SELECT it.item_id, array_agg(t.name ORDER BY it.position, t.id) AS before
              FROM item_topics it JOIN topics t ON t.id = it.topic_id
              WHERE it.item_id IN (SELECT x.item_id FROM item_topics x JOIN cms_topic_merge m ON m.from_id = x.topic_id)
              GROUP BY it.item_id;

            UPDATE items SET updated_at = now() WHERE id IN (SELECT item_id FROM cms_topic_item);
            INSERT INTO item_topics (item_id, topic_id, position)
              SELECT DISTINCT ON (it.item_id, m.into_id) it.item_id, m.into_id, it.position
              FROM item_topics it JOIN cms_topic_merge m ON m.from_id = it.topic_id
              ORDER BY it.item_id, m.into_id, it.position
              ON CONFLICT DO NOTHING;
            DELETE FROM item_topics WHERE topic_id IN (SELECT from_id FROM cms_topic_merge);
            DELETE FROM topics WHERE id IN (SELECT from_id FROM cms_topic_merge);

            PERFORM pg_temp.cms_audit('topic', 'topic.merged', m.into_id::text,
                      json_build_object('from', m.from_name, 'into', t.name, 'items', m.items, 'sentBackToNew', 0))
            FROM cms_topic_merge m JOIN topics t ON t.id = m.into_id ORDER BY m.from_id;
            PERFORM pg_temp.cms_audit('item', 'item.topics-merged', i.item_id::text, json_build_object(
                      'changes', json_build_array(json_build_object('field', 'topics', 'before', i.before, 'after',
                        (SELECT array_agg(t.name ORDER BY it.position, t.id) FROM item_topics it JOIN topics t ON t.id = it.topic_id WHERE it.item_id = i.item_id))),
                      'reason', 'topics that differ only in letter case are one topic'))
            FROM cms_topic_item i ORDER BY i.item_id;
            DROP TABLE cms_topic_item;
            DROP TABLE cms_topic_merge;

            DROP INDEX IF EXISTS ix_topics_normalized_name;
            UPDATE topics SET name = name;
            CREATE UNIQUE INDEX ix_topics_normalized_name ON topics (normalized_name);
          END IF;
          -- Any other index whose expression calls the function (delivery's topic keys).
          FOR ix IN SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()
                      AND indexname NOT IN ('ix_categories_normalized_name', 'ix_topics_normalized_name')
                      AND (indexdef LIKE '%cms_category_key%' OR indexdef LIKE '%cms_topic_keys%') LOOP
            EXECUTE format('REINDEX INDEX %I', ix.indexname);
          END LOOP;
          -- Delivery's stored topic keys (TopicsOneRegardlessOfCase), filled by the key as it was.
          IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
                       AND table_name = 'published_items' AND column_name = 'topic_keys') THEN
            UPDATE published_items SET topic_keys = ARRAY(SELECT cms_category_key(t) FROM unnest(topics) AS t)
              WHERE topics <> '{}' AND topic_keys IS DISTINCT FROM ARRAY(SELECT cms_category_key(t) FROM unnest(topics) AS t);
          END IF;
        END
        $do$;

        DROP FUNCTION pg_temp.cms_audit(text, text, text, json);
        """;
}
