namespace Cms.Migrations.Sql;

// Import at a million items (docs/benchmarks.md, "Import profile"): the stored source of an item is
// ~5 KiB and always TOASTed; compressing it with LZ4 instead of the default pglz took COPY of
// 20,000 realistic rows into the bare items table from 3.6 s to 2.6 s. A server built without LZ4
// keeps pglz (same data, only slower to write).
public static class ImportCostSql
{
    public const string Up = """
        DO $$
        BEGIN
          ALTER TABLE items ALTER COLUMN source_yaml SET COMPRESSION lz4;
          ALTER TABLE source_revisions ALTER COLUMN source_yaml SET COMPRESSION lz4;
        EXCEPTION WHEN feature_not_supported THEN
          RAISE NOTICE 'LZ4 is not available in this PostgreSQL build; source stays pglz-compressed';
        END $$;
        """;

    public const string Down = """
        ALTER TABLE items ALTER COLUMN source_yaml SET COMPRESSION default;
        ALTER TABLE source_revisions ALTER COLUMN source_yaml SET COMPRESSION default;
        """;
}
