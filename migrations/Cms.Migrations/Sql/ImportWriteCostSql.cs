namespace Cms.Migrations.Sql;

// The import's writer, PostgreSQL's side (issue 23 Build 6, tenth pass, IMPORT11; docs/benchmarks.md).
// - The seal of a supplied search vector is checked once per statement, not once per row. Before,
//   every row of an import's COPY ran the PL/pgSQL trigger, which called search_vector_sealed
//   (SECURITY DEFINER: search_path set and reset, an SPI query for the key) for each row. Now the
//   row trigger runs only for rows that come without a seal (WHEN: evaluated without calling any
//   function), which get their vector computed as before; rows that come with a seal are checked
//   together after the statement (items_verify_supplied_vectors, SECURITY DEFINER, one key read),
//   and any whose seal is not that of its own title, excerpt and vector gets its vector computed
//   again by an UPDATE in the same statement. So, as before, no writer can store a vector that
//   disagrees with its text. What changes: a row stored with a valid seal keeps it (32 bytes; it
//   proves only that the vector is its text's, which anyone may ask search_vectors for). An UPDATE
//   that changes the text or the vector without a seal for the new values gets the vector computed
//   again, whatever seal the row held (items_search_vector checks the seal against NEW).
// - Columns of items that PostgreSQL compresses when a row is TOASTed use LZ4 instead of pglz: a
//   row of a realistic item is over the 2 KB TOAST threshold even with its source moved out of
//   line, so the search vector (about 1 KB, which pglz fails to shrink) and the images were run
//   through pglz for every row (4.5% of the writer's CPU in a profile). Existing values keep their
//   compression; a server built without LZ4 keeps pglz.
public static class ImportWriteCostSql
{
    public const string Up = """
        CREATE FUNCTION items_verify_supplied_vectors() RETURNS trigger
          LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
          DECLARE forged bigint[];
          BEGIN
            SELECT array_agg(n.id) INTO forged
            FROM supplied n CROSS JOIN cms_private.search_vector_key k
            WHERE n.search_vector_seal IS NOT NULL
              AND n.search_vector_seal IS DISTINCT FROM
                  cms_private.search_vector_seal(k.key, coalesce(n.title, '') || ' ' || coalesce(n.excerpt, ''), n.search_vector);
            IF forged IS NOT NULL THEN
              UPDATE public.items SET search_vector = public.item_search_vector(title, excerpt), search_vector_seal = NULL
              WHERE id = ANY (forged);
            END IF;
            RETURN NULL;
          END
          $fn$;
        REVOKE ALL ON FUNCTION items_verify_supplied_vectors() FROM PUBLIC;

        DROP TRIGGER items_search_vector_insert ON items;
        CREATE TRIGGER items_search_vector_insert BEFORE INSERT ON items
          FOR EACH ROW WHEN (NEW.search_vector_seal IS NULL) EXECUTE FUNCTION items_search_vector();
        CREATE TRIGGER items_search_vector_supplied AFTER INSERT ON items
          REFERENCING NEW TABLE AS supplied
          FOR EACH STATEMENT EXECUTE FUNCTION items_verify_supplied_vectors();

        DO $$
        BEGIN
          ALTER TABLE items ALTER COLUMN search_vector SET COMPRESSION lz4,
            ALTER COLUMN images_json SET COMPRESSION lz4,
            ALTER COLUMN excerpt SET COMPRESSION lz4,
            ALTER COLUMN title SET COMPRESSION lz4;
        EXCEPTION WHEN feature_not_supported THEN
          RAISE NOTICE 'LZ4 is not available in this PostgreSQL build; items'' columns stay pglz-compressed';
        END $$;
        """;

    // Seals kept by rows stored meanwhile are harmless to the per-row check (it checks them against
    // the row's own values), so they stay.
    public const string Down = """
        ALTER TABLE items ALTER COLUMN search_vector SET COMPRESSION default,
          ALTER COLUMN images_json SET COMPRESSION default,
          ALTER COLUMN excerpt SET COMPRESSION default,
          ALTER COLUMN title SET COMPRESSION default;
        DROP TRIGGER items_search_vector_supplied ON items;
        DROP TRIGGER items_search_vector_insert ON items;
        CREATE TRIGGER items_search_vector_insert BEFORE INSERT ON items
          FOR EACH ROW EXECUTE FUNCTION items_search_vector();
        DROP FUNCTION items_verify_supplied_vectors();
        """;
}
