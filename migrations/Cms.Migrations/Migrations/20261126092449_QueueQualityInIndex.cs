using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cms.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class QueueQualityInIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_items_queue_category_date",
                table: "items");

            migrationBuilder.CreateIndex(
                name: "ix_items_queue_category_date",
                table: "items",
                columns: new[] { "category", "published_at", "id", "quality" },
                filter: "state IN ('New', 'Ready')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_items_queue_category_date",
                table: "items");

            migrationBuilder.CreateIndex(
                name: "ix_items_queue_category_date",
                table: "items",
                columns: new[] { "category", "published_at", "id" },
                filter: "state IN ('New', 'Ready')");
        }
    }
}
