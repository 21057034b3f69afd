using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cms.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class StoryGrouping : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateSequence(
                name: "story_ids");

            migrationBuilder.AddColumn<long>(
                name: "story_id",
                table: "items",
                type: "bigint",
                nullable: false,
                defaultValueSql: "nextval('story_ids')");

            migrationBuilder.AddColumn<int[]>(
                name: "story_keys",
                table: "items",
                type: "integer[]",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "story_sim_hash",
                table: "items",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "story_term_counts",
                columns: table => new
                {
                    term = table.Column<int>(type: "integer", nullable: false),
                    items = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_story_term_counts", x => x.term);
                });

            migrationBuilder.CreateIndex(
                name: "ix_items_story_id",
                table: "items",
                column: "story_id");

            migrationBuilder.CreateIndex(
                name: "ix_items_story_keys",
                table: "items",
                column: "story_keys")
                .Annotation("Npgsql:IndexMethod", "GIN");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "story_term_counts");

            migrationBuilder.DropIndex(
                name: "ix_items_story_id",
                table: "items");

            migrationBuilder.DropIndex(
                name: "ix_items_story_keys",
                table: "items");

            migrationBuilder.DropColumn(
                name: "story_id",
                table: "items");

            migrationBuilder.DropColumn(
                name: "story_keys",
                table: "items");

            migrationBuilder.DropColumn(
                name: "story_sim_hash",
                table: "items");

            migrationBuilder.DropSequence(
                name: "story_ids");
        }
    }
}
