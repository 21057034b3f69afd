using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cms.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class DropRevisionDiff : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "diff",
                table: "source_revisions");

            migrationBuilder.DropColumn(
                name: "diff_omitted",
                table: "source_revisions");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "diff",
                table: "source_revisions",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "diff_omitted",
                table: "source_revisions",
                type: "boolean",
                nullable: false,
                defaultValue: false);
        }
    }
}
