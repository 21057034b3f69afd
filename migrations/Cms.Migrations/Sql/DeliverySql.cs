namespace Cms.Migrations.Sql;

// The delivered documents, files and webhook bodies are ~5 KiB each and TOASTed like items'
// sources: LZ4 where the server has it (see ImportCostSql).
public static class DeliverySql
{
    public const string Up = """
        DO $$
        BEGIN
          ALTER TABLE published_items ALTER COLUMN document SET COMPRESSION lz4;
          ALTER TABLE published_items ALTER COLUMN output SET COMPRESSION lz4;
          ALTER TABLE webhook_messages ALTER COLUMN payload SET COMPRESSION lz4;
        EXCEPTION WHEN feature_not_supported THEN
          RAISE NOTICE 'LZ4 is not available in this PostgreSQL build; delivery documents stay pglz-compressed';
        END $$;
        """;
}
