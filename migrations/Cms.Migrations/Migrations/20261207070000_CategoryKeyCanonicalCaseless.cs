using Cms.Data;
using Cms.Migrations.Sql;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cms.Migrations.Migrations
{
    // REVIEW11 R11-4 and R11-2: the category key is Unicode's canonical caseless match (the NFD
    // form folded, then NFC), every category an item carries is in the list, the twins the new key
    // reveals are merged with their audit events, and the stored keys (categories', and topics'
    // when computed by the same function) recomputed (CategoryKeySql). The model is unchanged.
    [DbContext(typeof(CmsDbContext))]
    [Migration("20261207070000_CategoryKeyCanonicalCaseless")]
    public partial class CategoryKeyCanonicalCaseless : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(CategoryKeySql.KeyFunction);
            migrationBuilder.Sql(CategoryKeySql.ListItemCategories);
            migrationBuilder.Sql(CategoryCaseSql.Merge);
            migrationBuilder.Sql(CategoryKeySql.RecomputeCategories);
            migrationBuilder.Sql(CategoryKeySql.Topics);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The key as it was; listed and merged names stay (their events say what happened).
            migrationBuilder.Sql(CategoryCaseSql.KeyFunction);
            migrationBuilder.Sql(CategoryKeySql.RecomputeCategories);
        }
    }
}
