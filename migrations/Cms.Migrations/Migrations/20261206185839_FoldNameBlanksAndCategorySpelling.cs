using Cms.Migrations.Sql;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cms.Migrations.Migrations
{
    // REVIEW7 #11, #5: stored categories and topics brought to the one form names take (NameSpellingSql).
    public partial class FoldNameBlanksAndCategorySpelling : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(NameSpellingSql.Fold);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The former spellings are not kept: nothing to undo.
        }
    }
}
