using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cms.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class StoredRevisionComparison : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "changed_field_count",
                table: "source_revisions",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string[]>(
                name: "changed_fields",
                table: "source_revisions",
                type: "text[]",
                nullable: true);

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

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "changed_field_count",
                table: "source_revisions");

            migrationBuilder.DropColumn(
                name: "changed_fields",
                table: "source_revisions");

            migrationBuilder.DropColumn(
                name: "diff",
                table: "source_revisions");

            migrationBuilder.DropColumn(
                name: "diff_omitted",
                table: "source_revisions");
        }
    }
}
