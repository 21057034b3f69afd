namespace Cms.Migrations.Sql;

// Statistics for the editors' search at a million items (docs/benchmarks.md, "Queue plans"). With
// the realistic corpus, ANALYZE at target 2000 samples 600,000 rows and keeps only the ~110
// lexemes found in over a third of them; every other word, a rare name included, is then guessed
// at 0.5% per configuration, and a name with 125 matches is planned as a walk of the whole queue
// index (over 30 s). At 10000 the sample is the whole table and ~9,300 lexemes are kept: the same
// name is estimated at 126 rows and read from the GIN index.
public static class QueuePerfSql
{
    public const string Up = """
        ALTER TABLE items ALTER COLUMN search_vector SET STATISTICS 10000;
        ANALYZE items (search_vector);
        """;

    public const string Down = """
        ALTER TABLE items ALTER COLUMN search_vector SET STATISTICS 2000;
        ANALYZE items (search_vector);
        """;
}
