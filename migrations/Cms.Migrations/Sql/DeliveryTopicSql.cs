namespace Cms.Migrations.Sql;

// POLISH10: delivery's ?topic= finds an item whatever the case asked, as ?category= does. The
// filter column published_items.topics keeps the names as delivered (a later rename, in case only
// or merged, does not rewrite it), so the filter compares keys: published_items.topic_keys, each
// name's TopicNames.Normalize, written by DeliveryRecorder with the names and GIN-indexed (it
// replaces the index on the names; nothing else filters on them). Rows delivered before get their
// keys here, from the database's function of the rule (cms_category_key). The keys are stored, not
// an expression index over cms_category_key: that translate() over 1,454 code points costs ~0.3 ms a
// row, paid on every write and on every row a frequent topic's feed filters (docs/benchmarks.md).
public static class DeliveryTopicSql
{
    public const string Fill = """
        UPDATE published_items SET topic_keys = ARRAY(SELECT cms_category_key(t) FROM unnest(topics) AS t) WHERE topics <> '{}';
        """;
}
