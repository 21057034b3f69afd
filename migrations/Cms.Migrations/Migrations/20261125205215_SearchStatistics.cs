using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cms.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class SearchStatistics : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // With the default statistics target a rare word (a person's name) is estimated at
            // thousands of matches, and the planner walks the whole queue index filtering on the
            // tsvector (1.2 s at a million items). A larger most-common-elements list gives real
            // estimates: rare words use the GIN index (1.5 ms), common ones the ordered index.
            migrationBuilder.Sql("ALTER TABLE items ALTER COLUMN search_vector SET STATISTICS 2000");

        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE items ALTER COLUMN search_vector SET STATISTICS -1");

        }
    }
}
