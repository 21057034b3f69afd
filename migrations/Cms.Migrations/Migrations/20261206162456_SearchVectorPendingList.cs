using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cms.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class SearchVectorPendingList : Migration
    {
        // The items' search GIN takes new entries into its pending list (fastupdate) and merges them
        // into the index when the list passes gin_pending_list_limit: with the default 4 MB about
        // every 2,700 realistic items, each merge done by the inserting COPY. With 64 MB (about
        // 43,000 items) the merges are rarer and larger (a key's posting list is rewritten once for
        // many items), and autovacuum's analyze of items, which a large import sets off, merges the
        // rest. Maintaining this GIN was the largest part of what the schema costs an import's COPY
        // once the vectors came computed; docs/benchmarks.md ("Issue 23 Build 6, fourth pass") also
        // says what a search pays while the list is long.
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER INDEX ix_items_search_vector SET (gin_pending_list_limit = 65536);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER INDEX ix_items_search_vector RESET (gin_pending_list_limit);");
        }
    }
}
