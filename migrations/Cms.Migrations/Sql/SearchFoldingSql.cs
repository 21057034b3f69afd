namespace Cms.Migrations.Sql;

// Accent folding and Arabic attached particles in the editors' search (issue 20): `cafe` finds
// "café", `sao paulo` finds "São Paulo", and `تحلية` finds "لتحلية" (li- + desalination).
// - Folding: three text search configurations copied from english, russian and simple whose word
//   mappings run the unaccent dictionary (contrib, a trusted extension: the database owner may
//   create it) before the stemmer, so the vector and every query fold the same way.
// - Arabic: the Arabic words of the text (only when it has any) with one leading particle (bi-,
//   ka-, li-, wa-, fa-, alone or with al-) taken off a word that keeps three letters, stemmed by
//   PostgreSQL's Arabic stemmer (which removes al- but not these).
// PostgreSQL 15 cannot change a generated column's expression, so both vectors are dropped and
// added again in one ALTER TABLE (one rewrite), and their GIN indexes and statistics come back.
// The literal SQL is repeated from ItemConfiguration on purpose: a landed migration must not
// change when the model does.
public static class SearchFoldingSql
{
    public const string Up = """
        CREATE EXTENSION IF NOT EXISTS unaccent;
        CREATE TEXT SEARCH CONFIGURATION english_folded (COPY = english);
        ALTER TEXT SEARCH CONFIGURATION english_folded ALTER MAPPING FOR word, hword, hword_part WITH unaccent, english_stem;
        CREATE TEXT SEARCH CONFIGURATION russian_folded (COPY = russian);
        ALTER TEXT SEARCH CONFIGURATION russian_folded ALTER MAPPING FOR word, hword, hword_part WITH unaccent, russian_stem;
        CREATE TEXT SEARCH CONFIGURATION simple_folded (COPY = simple);
        ALTER TEXT SEARCH CONFIGURATION simple_folded ALTER MAPPING FOR word, hword, hword_part WITH unaccent, simple;
        ALTER TABLE items DROP COLUMN search_vector, DROP COLUMN provider_search;
        ALTER TABLE items
          ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
            to_tsvector('english_folded', coalesce(title, '') || ' ' || coalesce(excerpt, ''))
            || to_tsvector('russian_folded', coalesce(title, '') || ' ' || coalesce(excerpt, ''))
            || to_tsvector('simple_folded', coalesce(title, '') || ' ' || coalesce(excerpt, ''))
            || (CASE WHEN coalesce(title, '') || ' ' || coalesce(excerpt, '') ~ '[\u0621-\u064A]' THEN to_tsvector('arabic', regexp_replace(regexp_replace(coalesce(title, '') || ' ' || coalesce(excerpt, ''), '[^\u0621-\u064A]+', ' ', 'g'), '(^| )(?:[\u0648\u0641]?(?:\u0628\u0627\u0644|\u0643\u0627\u0644|\u0644\u0644|\u0627\u0644|[\u0628\u0643\u0644])|[\u0648\u0641])(?=[\u0621-\u064A]{3})', '\1', 'g')) ELSE ''::tsvector END)) STORED,
          ADD COLUMN provider_search tsvector GENERATED ALWAYS AS (
            to_tsvector('simple_folded', coalesce(provider_name, '') || ' ' || replace(coalesce(provider_domain, ''), '.', ' '))) STORED;
        CREATE INDEX ix_items_search_vector ON items USING gin (search_vector);
        CREATE INDEX ix_items_provider_search ON items USING gin (provider_search);
        ALTER TABLE items ALTER COLUMN search_vector SET STATISTICS 3000;
        ANALYZE items (search_vector, provider_search);
        """;

    public const string Down = """
        ALTER TABLE items DROP COLUMN search_vector, DROP COLUMN provider_search;
        ALTER TABLE items
          ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
            to_tsvector('english', coalesce(title, '') || ' ' || coalesce(excerpt, ''))
            || to_tsvector('russian', coalesce(title, '') || ' ' || coalesce(excerpt, ''))
            || to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(excerpt, ''))) STORED,
          ADD COLUMN provider_search tsvector GENERATED ALWAYS AS (
            to_tsvector('simple', coalesce(provider_name, '') || ' ' || replace(coalesce(provider_domain, ''), '.', ' '))) STORED;
        CREATE INDEX ix_items_search_vector ON items USING gin (search_vector);
        CREATE INDEX ix_items_provider_search ON items USING gin (provider_search);
        ALTER TABLE items ALTER COLUMN search_vector SET STATISTICS 3000;
        ANALYZE items (search_vector, provider_search);
        DROP TEXT SEARCH CONFIGURATION simple_folded;
        DROP TEXT SEARCH CONFIGURATION russian_folded;
        DROP TEXT SEARCH CONFIGURATION english_folded;
        """;
}
