namespace Cms.Migrations.Sql;

// REVIEW8 #6: NameSpellingSql (FoldNameBlanksAndCategorySpelling, landed) gave a look-alike group of
// topics' clean key to one of them and left the others side by side ("broken\u00A0links" beside
// "Broken links": drawn alike, each with its own items). Each group is merged here as a person's
// merge would (TopicAdministration.MergeAsync): the oldest topic is kept and takes the clean name
// and key, the items of the others carry it instead (an item that had both keeps one link, at the
// first's position), the items' rows are touched (an editor holding one open gets a conflict rather
// than saving the old list back), and the others are deleted once nothing refers to them. Every
// list change writes its audit event in the migration's transaction (one topic.merged per merged
// topic, one topic.renamed when the kept topic's stored name changes), by the system actor
// "system:name-fold". Ready items are not sent back to New: the names are the same name, spelled
// alike to the reader. The category list entries the fold deleted are not recorded: their names
// are gone from the database (the items' categories were rewritten to the kept spelling).
// The fold of the name mirrors UnicodeText.CleanName, as NameSpellingSql's does.
public static class LookAlikeTopicsSql
{
    public const string Actor = "system:name-fold";

    public const string Merge = $$"""
        CREATE FUNCTION pg_temp.cms_clean_name(t text) RETURNS text LANGUAGE sql IMMUTABLE AS
        $f$ SELECT btrim(regexp_replace(normalize(t, NFC), '[ \u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]+', ' ', 'g')) $f$;

        CREATE FUNCTION pg_temp.cms_audit(action text, target text, data json) RETURNS void LANGUAGE sql AS
        $f$ INSERT INTO audit_events (at, actor_id, actor, action, entity_type, entity_id, ip, request_id, payload)
            SELECT now(), NULL, '{{Actor}}', action, 'topic', target, NULL, NULL,
                   json_build_object('v', 1, 'at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                     'actorId', NULL::text, 'actor', '{{Actor}}', 'action', action, 'targetType', 'topic', 'targetId', target,
                     'ip', NULL::text, 'requestId', NULL::text, 'data', data)::text $f$;

        CREATE TEMP TABLE cms_topic_merge AS
          SELECT g.id AS from_id, g.name AS from_name, g.kept AS into_id,
                 (SELECT count(*) FROM item_topics it WHERE it.topic_id = g.id) AS items
          FROM (SELECT id, name, min(id) OVER (PARTITION BY pg_temp.cms_clean_name(normalized_name)) AS kept FROM topics) g
          WHERE g.id <> g.kept;

        UPDATE items SET updated_at = now()
        WHERE id IN (SELECT it.item_id FROM item_topics it JOIN cms_topic_merge m ON m.from_id = it.topic_id);
        INSERT INTO item_topics (item_id, topic_id, position)
          SELECT it.item_id, m.into_id, it.position FROM item_topics it JOIN cms_topic_merge m ON m.from_id = it.topic_id
          ON CONFLICT DO NOTHING;
        DELETE FROM item_topics WHERE topic_id IN (SELECT from_id FROM cms_topic_merge);
        DELETE FROM topics WHERE id IN (SELECT from_id FROM cms_topic_merge);

        SELECT pg_temp.cms_audit('topic.renamed', t.id::text, json_build_object('before', t.name, 'after', pg_temp.cms_clean_name(t.name), 'items',
                 (SELECT count(*) FROM item_topics it WHERE it.topic_id = t.id), 'sentBackToNew', 0))
        FROM topics t WHERE t.id IN (SELECT into_id FROM cms_topic_merge) AND t.name <> pg_temp.cms_clean_name(t.name);
        UPDATE topics t SET name = pg_temp.cms_clean_name(t.name), normalized_name = pg_temp.cms_clean_name(t.normalized_name)
        WHERE t.id IN (SELECT into_id FROM cms_topic_merge)
          AND (t.name <> pg_temp.cms_clean_name(t.name) OR t.normalized_name <> pg_temp.cms_clean_name(t.normalized_name));

        SELECT pg_temp.cms_audit('topic.merged', m.into_id::text, json_build_object('from', m.from_name, 'into', t.name, 'items', m.items, 'sentBackToNew', 0))
        FROM cms_topic_merge m JOIN topics t ON t.id = m.into_id ORDER BY m.from_id;

        DROP TABLE cms_topic_merge;
        DROP FUNCTION pg_temp.cms_audit(text, text, json);
        DROP FUNCTION pg_temp.cms_clean_name(text);
        """;
}
