using Cms.Migrations.Sql;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cms.Migrations.Migrations
{
    // CATEGORY: categories that differ only in letter case are one category: the key function, the
    // case twins stored before merged into the oldest with their audit events (CategoryCaseSql),
    // then the key column and its unique index.
    public partial class CategoriesOneRegardlessOfCase : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(CategoryCaseSql.KeyFunction);
            migrationBuilder.Sql(CategoryCaseSql.Merge);

            migrationBuilder.AddColumn<string>(
                name: "normalized_name",
                table: "categories",
                type: "text",
                nullable: false,
                computedColumnSql: "cms_category_key(name)",
                stored: true);

            migrationBuilder.CreateIndex(
                name: "ix_categories_normalized_name",
                table: "categories",
                column: "normalized_name",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_categories_normalized_name",
                table: "categories");

            migrationBuilder.DropColumn(
                name: "normalized_name",
                table: "categories");

            // The merged entries are gone (their names are in the audit events): not restored.
            migrationBuilder.Sql("DROP FUNCTION cms_category_key(text);");
        }
    }
}
