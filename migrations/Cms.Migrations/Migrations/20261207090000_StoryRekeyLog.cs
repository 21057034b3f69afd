using Cms.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cms.Migrations.Migrations
{
    // REVIEW12 R12-1: a re-key no longer updates the one row of story_rekeys (an accepted revision
    // took it before its item's row, an import batch after: they deadlocked). Each transaction that
    // re-keys inserts one row here (its transaction id, so a second re-key in it adds nothing and no
    // two writers insert the same key: inserts never wait for each other). The re-key count is
    // story_rekeys' count (kept, no longer written: the count before this migration) plus the rows
    // visible here, so it still moves exactly when the new keys become visible. Not in the EF model.
    [DbContext(typeof(CmsDbContext))]
    [Migration("20261207090000_StoryRekeyLog")]
    public partial class StoryRekeyLog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("CREATE TABLE story_rekey_log (xact bigint PRIMARY KEY);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The count keeps its value (it only ever grows).
            migrationBuilder.Sql("""
                UPDATE story_rekeys SET count = count + (SELECT count(*) FROM story_rekey_log);
                DROP TABLE story_rekey_log;
                """);
        }
    }
}
