namespace Cms.Migrations.Sql;

// REVIEW7 #11, #5: categories and topics are now stored in one form (UnicodeText.CleanName: NFC,
// runs of blanks one space, trimmed). Rows stored before are brought to that form here, so the
// list, the queue's filter, the edit form and the published file compare one spelling:
// - items.category and the managed category list are rewritten; look-alike list entries
//   ("Café", "Cafe\u0301", "Café ") become one (the oldest kept); a category of blanks only is none.
// - a topic whose key changes takes the new key unless another topic already has it (or an
//   older one takes it): that one is then the topic its name resolves to, as for a new name.
// The SQL fold mirrors CleanName (PostgreSQL's normalize() and the same blank characters).
// Only the spelling of a name changes, never what it is, so no audit event is written per row.
public static class NameSpellingSql
{
    public const string Fold = """
        CREATE FUNCTION pg_temp.cms_clean_name(t text) RETURNS text LANGUAGE sql IMMUTABLE AS
        $f$ SELECT btrim(regexp_replace(normalize(t, NFC), '[ \u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]+', ' ', 'g')) $f$;

        UPDATE items SET category = NULLIF(pg_temp.cms_clean_name(category), '')
        WHERE (category = '' OR category ~ '^ | $|  |[^ -~]')
          AND category IS DISTINCT FROM NULLIF(pg_temp.cms_clean_name(category), '');

        WITH ranked AS (
          SELECT id, row_number() OVER (PARTITION BY pg_temp.cms_clean_name(name) ORDER BY id) AS r FROM categories)
        DELETE FROM categories c USING ranked r WHERE r.id = c.id AND r.r > 1;
        DELETE FROM categories WHERE pg_temp.cms_clean_name(name) = '';
        UPDATE categories SET name = pg_temp.cms_clean_name(name) WHERE name <> pg_temp.cms_clean_name(name);

        WITH ranked AS (
          SELECT id, normalized_name, pg_temp.cms_clean_name(normalized_name) AS key,
                 row_number() OVER (PARTITION BY pg_temp.cms_clean_name(normalized_name)
                                    ORDER BY normalized_name = pg_temp.cms_clean_name(normalized_name) DESC, id) AS r
          FROM topics)
        UPDATE topics t SET name = pg_temp.cms_clean_name(t.name), normalized_name = ranked.key
        FROM ranked WHERE ranked.id = t.id AND ranked.r = 1 AND ranked.normalized_name <> ranked.key;

        DROP FUNCTION pg_temp.cms_clean_name(text);
        """;
}
