using Cms.Migrations.Sql;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cms.Migrations.Migrations
{
    // POLISH9: topics stored with a joiner the rule refuses or a noncharacter cleaned, merged where
    // the cleaned name is another topic's, audited (RefusedTopicCharactersSql).
    public partial class CleanRefusedTopicCharacters : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(RefusedTopicCharactersSql.Clean);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The old names are in the audit events; the characters removed drew nothing: nothing to undo.
        }
    }
}
