using Cms.Migrations.Sql;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cms.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class QueuePerf : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_items_queue_category_date",
                table: "items",
                columns: new[] { "category", "published_at", "id" },
                filter: "state IN ('New', 'Ready')");

            migrationBuilder.Sql(QueuePerfSql.Up);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(QueuePerfSql.Down);

            migrationBuilder.DropIndex(
                name: "ix_items_queue_category_date",
                table: "items");
        }
    }
}
