namespace Cms.Migrations.Sql;

// REVIEW12 R12-7: delivery's stored topic keys (published_items.topic_keys) of rows delivered
// before the migrations TopicsOneRegardlessOfCase and CategoryKeyCanonicalCaseless were filled with
// cms_category_key(name) of the name as delivered, while ?topic= is keyed by TopicNames.Normalize,
// the key of the cleaned name (UnicodeText.CleanName): a name delivered with a no-break space or a
// double space got a key no request produces, not even its own spelling. Those keys are recomputed
// from the cleaned names (the SQL form of CleanName the name migrations use), only on rows holding
// a name the cleaning changes. DeliveryRecorder writes new rows' keys in C# with the same rule.
public static class DeliveredTopicKeySql
{
    public const string Recompute = """
        CREATE FUNCTION pg_temp.cms_clean_name(t text) RETURNS text LANGUAGE sql IMMUTABLE AS
        $f$ SELECT btrim(regexp_replace(normalize(t, NFC), '[ \u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]+', ' ', 'g')) $f$;

        UPDATE published_items SET topic_keys = ARRAY(SELECT cms_category_key(pg_temp.cms_clean_name(t)) FROM unnest(topics) WITH ORDINALITY AS u(t, n) ORDER BY n)
        WHERE topics <> '{}' AND EXISTS (SELECT 1 FROM unnest(topics) AS t WHERE t <> pg_temp.cms_clean_name(t));

        DROP FUNCTION pg_temp.cms_clean_name(text);
        """;
}
