namespace Cms.Migrations.Sql;

// The search vector keeps one stemmed form, the item's language, beside 'simple' (issue 23 Build 6):
// Russian when the title or excerpt has Cyrillic letters, English otherwise. The russian
// configuration already stems ASCII words with english_stem, and the english one leaves Cyrillic
// words as written (which 'simple' holds), so the third to_tsvector added little but cost a third
// of the vector, the largest single cost of storing an item. Accent folding and the Arabic part are
// unchanged. As in SearchFoldingSql, PostgreSQL 15 cannot change a generated column's expression:
// the column is dropped and added again (one rewrite), its GIN index and statistics come back.
// The literal SQL is repeated from ItemConfiguration on purpose: a landed migration must not
// change when the model does.
public static class SearchLanguageSql
{
    private const string Arabic = """
        (CASE WHEN coalesce(title, '') || ' ' || coalesce(excerpt, '') ~ '[\u0621-\u064A]' THEN to_tsvector('arabic', regexp_replace(regexp_replace(coalesce(title, '') || ' ' || coalesce(excerpt, ''), '[^\u0621-\u064A]+', ' ', 'g'), '(^| )(?:[\u0648\u0641]?(?:\u0628\u0627\u0644|\u0643\u0627\u0644|\u0644\u0644|\u0627\u0644|[\u0628\u0643\u0644])|[\u0648\u0641])(?=[\u0621-\u064A]{3})', '\1', 'g')) ELSE ''::tsvector END)
        """;

    public const string Up = """
        ALTER TABLE items DROP COLUMN search_vector;
        ALTER TABLE items
          ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
            (CASE WHEN coalesce(title, '') || ' ' || coalesce(excerpt, '') ~ '[\u0400-\u04FF]'
              THEN to_tsvector('russian_folded', coalesce(title, '') || ' ' || coalesce(excerpt, ''))
              ELSE to_tsvector('english_folded', coalesce(title, '') || ' ' || coalesce(excerpt, '')) END)
            || to_tsvector('simple_folded', coalesce(title, '') || ' ' || coalesce(excerpt, ''))
            || 
        """ + Arabic + """
        ) STORED;
        CREATE INDEX ix_items_search_vector ON items USING gin (search_vector);
        ALTER TABLE items ALTER COLUMN search_vector SET STATISTICS 3000;
        ANALYZE items (search_vector);
        """;

    public const string Down = """
        ALTER TABLE items DROP COLUMN search_vector;
        ALTER TABLE items
          ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
            to_tsvector('english_folded', coalesce(title, '') || ' ' || coalesce(excerpt, ''))
            || to_tsvector('russian_folded', coalesce(title, '') || ' ' || coalesce(excerpt, ''))
            || to_tsvector('simple_folded', coalesce(title, '') || ' ' || coalesce(excerpt, ''))
            || 
        """ + Arabic + """
        ) STORED;
        CREATE INDEX ix_items_search_vector ON items USING gin (search_vector);
        ALTER TABLE items ALTER COLUMN search_vector SET STATISTICS 3000;
        ANALYZE items (search_vector);
        """;
}
