namespace Cms.Migrations.Sql;

// The editors' search (README "Editors' search"): Russian stemming joins English and 'simple' in
// items.search_vector, and the provider filter gets a vector of its own (words of the name, labels
// of the domain) matched by prefix through a GIN index instead of the exact-match B-tree.
// PostgreSQL 15 cannot change a generated column's expression (SET EXPRESSION is 17), so the column
// is dropped and added again, which drops its GIN index and statistics target: both come back here.
// Adding both columns in one ALTER TABLE rewrites the table once. The literal SQL is repeated from
// ItemConfiguration on purpose: a landed migration must not change when the model does.
public static class SearchSql
{
    public const string Up = """
        DROP INDEX ix_items_provider_domain_published_at;
        ALTER TABLE items DROP COLUMN search_vector;
        ALTER TABLE items
          ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
            to_tsvector('english', coalesce(title, '') || ' ' || coalesce(excerpt, ''))
            || to_tsvector('russian', coalesce(title, '') || ' ' || coalesce(excerpt, ''))
            || to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(excerpt, ''))) STORED,
          ADD COLUMN provider_search tsvector GENERATED ALWAYS AS (
            to_tsvector('simple', coalesce(provider_name, '') || ' ' || replace(coalesce(provider_domain, ''), '.', ' '))) STORED;
        CREATE INDEX ix_items_search_vector ON items USING gin (search_vector);
        CREATE INDEX ix_items_provider_search ON items USING gin (provider_search);
        -- Rare words (names) need real estimates to be planned on the GIN index; see the Initial migration.
        ALTER TABLE items ALTER COLUMN search_vector SET STATISTICS 2000;
        -- The new columns have no statistics until autovacuum gets to them; searches would be planned blind.
        ANALYZE items (search_vector, provider_search);
        """;

    public const string Down = """
        DROP INDEX ix_items_provider_search;
        ALTER TABLE items DROP COLUMN provider_search;
        ALTER TABLE items DROP COLUMN search_vector;
        ALTER TABLE items
          ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
            to_tsvector('english', coalesce(title, '') || ' ' || coalesce(excerpt, ''))
            || to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(excerpt, ''))) STORED;
        CREATE INDEX ix_items_search_vector ON items USING gin (search_vector);
        ALTER TABLE items ALTER COLUMN search_vector SET STATISTICS 2000;
        CREATE INDEX ix_items_provider_domain_published_at ON items (provider_domain, published_at);
        ANALYZE items (search_vector);
        """;
}
