using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cms.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class StoryMerge : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "merged_from_item_id",
                table: "related_links",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "merged_into_id",
                table: "items",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_related_links_merged_from_item_id",
                table: "related_links",
                column: "merged_from_item_id",
                filter: "merged_from_item_id IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_related_links_merged_from_item_id",
                table: "related_links");

            migrationBuilder.DropColumn(
                name: "merged_from_item_id",
                table: "related_links");

            migrationBuilder.DropColumn(
                name: "merged_into_id",
                table: "items");
        }
    }
}
