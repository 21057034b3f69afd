namespace Cms.Migrations.Sql;

// POLISH9: PostgreSQL's text-search parser reads ZERO WIDTH NON-JOINER (U+200C) and ZERO WIDTH
// JOINER (U+200D) as blanks, so a Persian word written with its ZWNJ ("می‌خواهم") was stored as
// two words ("می", "خواهم") and a search typed without it ("میخواهم", as many keyboards and
// sources write it) found nothing; the reverse failed too. The vector now also holds the text with
// the joiners removed (the word whole), only for a text that has one; the query removes them
// (QueueSearch.Words). Typed with the joiner, without it, or with a space, the word is found. The
// function is item_search_vector as SearchVectorSealSql made it, with that one part added; the
// sealed vectors the importer computes (search_vectors) call it, and the rows holding a joiner get
// their vector again (the trigger computes it: an UPDATE of search_vector without a seal).
public static class SearchJoinersSql
{
    private const string Text = "coalesce(title, '') || ' ' || coalesce(excerpt, '')";

    private const string Before = $$"""
          SELECT (CASE WHEN {{Text}} ~ '[\u0400-\u04FF]'
              THEN to_tsvector('russian_folded', {{Text}})
              ELSE to_tsvector('english_folded', {{Text}}) END)
            || to_tsvector('simple_folded', {{Text}})
            || (CASE WHEN {{Text}} ~ '[\u0621-\u064A]' THEN to_tsvector('arabic', regexp_replace(regexp_replace({{Text}}, '[^\u0621-\u064A]+', ' ', 'g'), '(^| )(?:[\u0648\u0641]?(?:\u0628\u0627\u0644|\u0643\u0627\u0644|\u0644\u0644|\u0627\u0644|[\u0628\u0643\u0644])|[\u0648\u0641])(?=[\u0621-\u064A]{3})', '\1', 'g')) ELSE ''::tsvector END)
        """;

    public const string Up = $$"""
        CREATE OR REPLACE FUNCTION item_search_vector(title text, excerpt text) RETURNS tsvector
          LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
        {{Before}}
            || (CASE WHEN strpos({{Text}}, U&'\200C') > 0 OR strpos({{Text}}, U&'\200D') > 0
                THEN to_tsvector('simple_folded', translate({{Text}}, U&'\200C\200D', '')) ELSE ''::tsvector END)
          $fn$;

        UPDATE items SET search_vector = NULL
        WHERE strpos(coalesce(title, '') || ' ' || coalesce(excerpt, ''), U&'\200C') > 0
           OR strpos(coalesce(title, '') || ' ' || coalesce(excerpt, ''), U&'\200D') > 0;
        """;

    public const string Down = $$"""
        CREATE OR REPLACE FUNCTION item_search_vector(title text, excerpt text) RETURNS tsvector
          LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
        {{Before}}
          $fn$;

        UPDATE items SET search_vector = NULL
        WHERE strpos(coalesce(title, '') || ' ' || coalesce(excerpt, ''), U&'\200C') > 0
           OR strpos(coalesce(title, '') || ' ' || coalesce(excerpt, ''), U&'\200D') > 0;
        """;
}
