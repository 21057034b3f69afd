using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cms.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class RelatedLinkQualityAndImage : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "image_url",
                table: "related_links",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "quality",
                table: "related_links",
                type: "integer",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "image_url",
                table: "related_links");

            migrationBuilder.DropColumn(
                name: "quality",
                table: "related_links");
        }
    }
}
