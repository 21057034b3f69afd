namespace Cms.Migrations.Sql;

// POLISH10: topics that differ only in letter case are one topic, under the categories' rule
// (TopicNames.Normalize = CategoryNames.Key = UnicodeText.NameKey; the database's
// cms_category_key). Until now a topic's key was the name lower-cased by .NET's
// ToLowerInvariant, so "ΟΔΟΣ" and "οδος" (final sigma), "ſport" and "sport" (long s), "µ" and
// "μ" could stand side by side as two topics.
//
// Merge: each group of twins in the vocabulary is merged into its oldest topic (the smallest id,
// whose spelling wins), as a person's merge would (TopicAdministration.MergeAsync): the items of
// the others carry the kept topic instead (an item that had several of the group keeps one link,
// at the first one's place), the items' rows are touched (updated_at; the xmin version moves, so
// an editor holding one open gets a conflict rather than saving the old list back), and the
// others are deleted. Audit, by the system actor "system:name-fold", in the migration's
// transaction: one topic.merged per merged topic (from, into, how many items carried it), and one
// item.topics-merged per item whose list changed (its topics before and after, as an edit records
// them), so an item's own history says why. Ready items stay Ready: the name is the same name.
// Delivered documents and delivery's filter column (published_items.topics) are left as
// delivered: delivery's ?topic= compares by the same key (cms_topic_keys), so it finds them
// under any spelling. Idempotent: a second run finds no twins.
public static class TopicCaseSql
{
    public const string Actor = LookAlikeTopicsSql.Actor;

    public const string Merge = $$"""
        CREATE FUNCTION pg_temp.cms_audit(kind text, action text, target text, data json) RETURNS void LANGUAGE sql AS
        $f$ INSERT INTO audit_events (at, actor_id, actor, action, entity_type, entity_id, ip, request_id, payload)
            SELECT now(), NULL, '{{Actor}}', action, kind, target, NULL, NULL,
                   json_build_object('v', 1, 'at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                     'actorId', NULL::text, 'actor', '{{Actor}}', 'action', action, 'targetType', kind, 'targetId', target,
                     'ip', NULL::text, 'requestId', NULL::text, 'data', data)::text $f$;

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
        -- An item carrying the kept topic after a twin keeps it at the twin's place.
        UPDATE item_topics it SET position = f.position
        FROM (SELECT x.item_id, m.into_id, min(x.position) AS position
              FROM item_topics x JOIN cms_topic_merge m ON m.from_id = x.topic_id GROUP BY x.item_id, m.into_id) f
        WHERE it.item_id = f.item_id AND it.topic_id = f.into_id AND it.position > f.position;
        INSERT INTO item_topics (item_id, topic_id, position)
          SELECT DISTINCT ON (it.item_id, m.into_id) it.item_id, m.into_id, it.position
          FROM item_topics it JOIN cms_topic_merge m ON m.from_id = it.topic_id
          ORDER BY it.item_id, m.into_id, it.position
          ON CONFLICT DO NOTHING;
        DELETE FROM item_topics WHERE topic_id IN (SELECT from_id FROM cms_topic_merge);
        DELETE FROM topics WHERE id IN (SELECT from_id FROM cms_topic_merge);

        SELECT pg_temp.cms_audit('topic', 'topic.merged', m.into_id::text,
                 json_build_object('from', m.from_name, 'into', t.name, 'items', m.items, 'sentBackToNew', 0))
        FROM cms_topic_merge m JOIN topics t ON t.id = m.into_id ORDER BY m.from_id;
        SELECT pg_temp.cms_audit('item', 'item.topics-merged', i.item_id::text, json_build_object(
                 'changes', json_build_array(json_build_object('field', 'topics', 'before', i.before, 'after',
                   (SELECT array_agg(t.name ORDER BY it.position, t.id) FROM item_topics it JOIN topics t ON t.id = it.topic_id WHERE it.item_id = i.item_id))),
                 'reason', 'topics that differ only in letter case are one topic'))
        FROM cms_topic_item i ORDER BY i.item_id;

        DROP TABLE cms_topic_item;
        DROP TABLE cms_topic_merge;
        DROP FUNCTION pg_temp.cms_audit(text, text, text, json);
        """;
}
