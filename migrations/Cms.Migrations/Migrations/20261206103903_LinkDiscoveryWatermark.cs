using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cms.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class LinkDiscoveryWatermark : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "pending_related_link_id",
                table: "link_discoveries",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string[]>(
                name: "pending_writers",
                table: "link_discoveries",
                type: "text[]",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "settled_related_link_id",
                table: "link_discoveries",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "pending_related_link_id",
                table: "link_discoveries");

            migrationBuilder.DropColumn(
                name: "pending_writers",
                table: "link_discoveries");

            migrationBuilder.DropColumn(
                name: "settled_related_link_id",
                table: "link_discoveries");
        }
    }
}
