namespace Cms.Migrations.Sql;

// REVIEW12 R12-2: the name merges of the migrations CategoriesOneRegardlessOfCase (CategoryCaseSql),
// TopicsOneRegardlessOfCase (TopicCaseSql) and CategoryKeyCanonicalCaseless (CategoryKeySql) left
// Ready items Ready although the spelling of a topic or category they would publish changed ("the
// name is the same name"), where a person's merge sends them back to New (TopicAdministration:
// what is published is what was reviewed). Those migrations have run; this one sends back to New
// (its schedule dropped, as ReturnToNewIfReady does) each Ready item with an item.topics-merged or
// item.category-merged event by the system after it was marked ready, with one item.edited event
// each by the same system actor, in the migration's transaction. Idempotent: a second run finds
// no Ready item marked before such an event.
public static class ReadyAfterNameMergeSql
{
    public const string Reason = "topic or category merged while Ready";

    public const string SendBack = $$"""
        CREATE TEMP TABLE cms_sent_back AS
          SELECT i.id AS item_id, i.publish_at FROM items i
          WHERE i.state = 'Ready' AND EXISTS (
            SELECT 1 FROM audit_events e
            WHERE e.entity_type = 'item' AND e.entity_id = i.id::text AND e.actor = '{{LookAlikeTopicsSql.Actor}}'
              AND e.action IN ('item.topics-merged', 'item.category-merged') AND e.at > coalesce(i.ready_at, '-infinity'));

        UPDATE items i SET state = 'New', ready_by = NULL, ready_by_name = NULL, ready_at = NULL,
               publish_at = NULL, publish_scheduled_by = NULL, publish_scheduled_by_name = NULL, publish_attempts = 0, publish_retry_at = NULL,
               updated_at = now()
        WHERE i.id IN (SELECT item_id FROM cms_sent_back);

        INSERT INTO audit_events (at, actor_id, actor, action, entity_type, entity_id, ip, request_id, payload)
          SELECT now(), NULL, '{{LookAlikeTopicsSql.Actor}}', 'item.edited', 'item', s.item_id::text, NULL, NULL,
                 json_build_object('v', 1, 'at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                   'actorId', NULL::text, 'actor', '{{LookAlikeTopicsSql.Actor}}', 'action', 'item.edited', 'targetType', 'item', 'targetId', s.item_id::text,
                   'ip', NULL::text, 'requestId', NULL::text, 'data', json_build_object(
                     'changes', CASE WHEN s.publish_at IS NULL
                       THEN json_build_array(json_build_object('field', 'state', 'before', 'Ready', 'after', 'New', 'reason', '{{Reason}}'))
                       ELSE json_build_array(json_build_object('field', 'state', 'before', 'Ready', 'after', 'New', 'reason', '{{Reason}}'),
                                             json_build_object('field', 'publishAt', 'before', s.publish_at, 'after', NULL)) END,
                     'via', 'migration'))::text
          FROM cms_sent_back s ORDER BY s.item_id;

        DROP TABLE cms_sent_back;
        """;
}
