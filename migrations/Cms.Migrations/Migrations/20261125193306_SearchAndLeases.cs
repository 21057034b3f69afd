using System;
using Microsoft.EntityFrameworkCore.Migrations;
using NpgsqlTypes;

#nullable disable

namespace Cms.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class SearchAndLeases : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<NpgsqlTsVector>(
                name: "search_vector",
                table: "items",
                type: "tsvector",
                nullable: true,
                computedColumnSql: "to_tsvector('english', coalesce(title, '') || ' ' || coalesce(excerpt, '')) || to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(excerpt, ''))",
                stored: true);

            migrationBuilder.CreateTable(
                name: "item_leases",
                columns: table => new
                {
                    item_id = table.Column<long>(type: "bigint", nullable: false),
                    user_name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_item_leases", x => new { x.item_id, x.user_name });
                    table.ForeignKey(
                        name: "fk_item_leases_items_item_id",
                        column: x => x.item_id,
                        principalTable: "items",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_items_heat_id",
                table: "items",
                columns: new[] { "heat", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_items_quality_id",
                table: "items",
                columns: new[] { "quality", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_items_search_vector",
                table: "items",
                column: "search_vector")
                .Annotation("Npgsql:IndexMethod", "GIN");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "item_leases");

            migrationBuilder.DropIndex(
                name: "ix_items_heat_id",
                table: "items");

            migrationBuilder.DropIndex(
                name: "ix_items_quality_id",
                table: "items");

            migrationBuilder.DropIndex(
                name: "ix_items_search_vector",
                table: "items");

            migrationBuilder.DropColumn(
                name: "search_vector",
                table: "items");
        }
    }
}
