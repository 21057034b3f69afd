using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cms.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class RelatedLinkIdentity : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "identity",
                table: "related_links",
                type: "text",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_related_links_identity_unset",
                table: "related_links",
                column: "item_id",
                filter: "identity IS NULL AND is_safe_url");

            migrationBuilder.CreateIndex(
                name: "ix_related_links_item_id_identity",
                table: "related_links",
                columns: new[] { "item_id", "identity" },
                unique: true,
                filter: "identity IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_related_links_identity_unset",
                table: "related_links");

            migrationBuilder.DropIndex(
                name: "ix_related_links_item_id_identity",
                table: "related_links");

            migrationBuilder.DropColumn(
                name: "identity",
                table: "related_links");
        }
    }
}
