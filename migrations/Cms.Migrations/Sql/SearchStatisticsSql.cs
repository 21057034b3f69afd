namespace Cms.Migrations.Sql;

// The search vector's statistics target, lowered from 10000 (QueuePerf) to 3000 (docs/benchmarks.md,
// "Planning a search"). Every plan of a search condition reads the column's most-common-lexemes
// list, and its length follows the target (up to 10x it): at 10000 the benchmark corpus kept 9,292
// lexemes and each search statement took 0.69 ms to plan (three statements per queue page); at
// 3000 it keeps 3,629 and plans in 0.18 ms, with the same plans and estimates for every benchmark
// view (a rare name 393 rows against 378; at 2000 only 114 lexemes were kept and the rare name was
// guessed at 15,000 rows, the original problem). A real newsroom vocabulary is larger than the
// generator's, which would make 10000 slower still.
public static class SearchStatisticsSql
{
    public const string Up = """
        ALTER TABLE items ALTER COLUMN search_vector SET STATISTICS 3000;
        ANALYZE items (search_vector);
        """;

    public const string Down = """
        ALTER TABLE items ALTER COLUMN search_vector SET STATISTICS 10000;
        ANALYZE items (search_vector);
        """;
}
