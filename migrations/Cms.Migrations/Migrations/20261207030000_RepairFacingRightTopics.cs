using Cms.Migrations.Sql;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cms.Migrations.Migrations
{
    // REVIEW10 R10-2: CleanRefusedTopicCharacters removed the second joiner of "facing right"
    // gender topics the name rule keeps. The renames it made are undone where no other topic holds
    // the name's key now (audited), then the corrected rule cleans what is left (TopicJoinerRuleSql).
    public partial class RepairFacingRightTopics : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(TopicJoinerRuleSql.Repair);
            migrationBuilder.Sql(TopicJoinerRuleSql.Clean);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The names before are in the audit events: nothing to undo.
        }
    }
}
