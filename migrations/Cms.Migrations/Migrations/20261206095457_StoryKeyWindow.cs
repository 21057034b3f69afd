using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cms.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class StoryKeyWindow : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_items_story_keys",
                table: "items");

            migrationBuilder.CreateTable(
                name: "story_window_keys",
                columns: table => new
                {
                    key = table.Column<int>(type: "integer", nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    item_id = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_story_window_keys", x => new { x.key, x.at, x.item_id });
                });

            // The keys of items already stored, from their story_keys (distinct per item); the index is built after
            // the rows (faster than inserting into it, for a store of a million items).
            migrationBuilder.Sql("""
                ALTER TABLE story_window_keys DROP CONSTRAINT pk_story_window_keys;
                INSERT INTO story_window_keys (key, at, item_id)
                  SELECT k, coalesce(published_at, imported_at), id FROM items, unnest(story_keys) k WHERE story_keys IS NOT NULL;
                ALTER TABLE story_window_keys ADD CONSTRAINT pk_story_window_keys PRIMARY KEY (key, at, item_id);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "story_window_keys");

            migrationBuilder.CreateIndex(
                name: "ix_items_story_keys",
                table: "items",
                column: "story_keys")
                .Annotation("Npgsql:IndexMethod", "GIN")
                .Annotation("Npgsql:StorageParameter:fastupdate", false);
        }
    }
}
