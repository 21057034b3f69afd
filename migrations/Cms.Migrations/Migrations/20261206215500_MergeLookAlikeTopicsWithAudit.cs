using Cms.Migrations.Sql;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cms.Migrations.Migrations
{
    // REVIEW8 #6: look-alike topics the fold left side by side merged into the oldest, audited (LookAlikeTopicsSql).
    public partial class MergeLookAlikeTopicsWithAudit : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(LookAlikeTopicsSql.Merge);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The merged topics are gone (their names are in the audit events): nothing to undo.
        }
    }
}
