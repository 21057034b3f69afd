using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cms.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class LinkUsesAndReplacedUrls : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "replaces_url",
                table: "related_links",
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "link_uses",
                columns: table => new
                {
                    related_link_id = table.Column<long>(type: "bigint", nullable: false),
                    url = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_link_uses", x => x.related_link_id);
                    table.ForeignKey(
                        name: "fk_link_uses_related_links_related_link_id",
                        column: x => x.related_link_id,
                        principalTable: "related_links",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_link_uses_url",
                table: "link_uses",
                column: "url");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "link_uses");

            migrationBuilder.DropColumn(
                name: "replaces_url",
                table: "related_links");
        }
    }
}
