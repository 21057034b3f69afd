namespace Cms.Migrations.Sql;

// POLISH10: delivery's ?topic= finds an item whatever the case asked, as ?category= does. The
// filter column published_items.topics keeps the names as delivered (a later rename, in case only
// or merged, does not rewrite it), so the filter compares keys, not spellings: cms_topic_keys()
// is each name's cms_category_key (TopicNames.Normalize's rule), and the GIN index on it replaces
// the one on the names (nothing else filters on them). PublishedQuery asks
// cms_topic_keys(topics) @> ARRAY[key], the index's expression word for word.
public static class DeliveryTopicSql
{
    public const string Up = """
        CREATE FUNCTION cms_topic_keys(topics text[]) RETURNS text[]
          LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
          RETURN ARRAY(SELECT cms_category_key(t) FROM unnest(topics) AS t);
        CREATE INDEX ix_published_items_topic_keys ON published_items USING GIN (cms_topic_keys(topics));
        """;

    public const string Down = """
        DROP INDEX ix_published_items_topic_keys;
        DROP FUNCTION cms_topic_keys(text[]);
        """;
}
