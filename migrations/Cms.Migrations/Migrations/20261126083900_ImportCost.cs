using Cms.Migrations.Sql;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cms.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class ImportCost : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // (quality, id) serves every query this one did; one B-tree fewer to maintain per insert.
            migrationBuilder.DropIndex(
                name: "ix_items_quality",
                table: "items");

            migrationBuilder.Sql(ImportCostSql.Up);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(ImportCostSql.Down);

            migrationBuilder.CreateIndex(
                name: "ix_items_quality",
                table: "items",
                column: "quality");
        }
    }
}
