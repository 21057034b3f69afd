using Cms.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cms.Migrations.Migrations
{
    // REVIEW11 R11-1: the re-key count (StoryKeyUpkeep): one row, added to by every re-key of a
    // stored item in the writer's transaction, read by the import's grouping to drop its
    // StoryMemory and a search begun ahead when another writer re-keyed an item in between. Not in
    // the EF model: only StoryKeyUpkeep and StoryGrouping's SQL touch it.
    [DbContext(typeof(CmsDbContext))]
    [Migration("20261207070500_StoryRekeyCount")]
    public partial class StoryRekeyCount : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE story_rekeys (one boolean PRIMARY KEY DEFAULT true CHECK (one), count bigint NOT NULL);
                INSERT INTO story_rekeys (one, count) VALUES (true, 0);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE story_rekeys;");
        }
    }
}
