using Cms.Migrations.Sql;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cms.Migrations.Migrations
{
    // IMPORT11: a supplied search vector's seal checked once per statement; LZ4 for items' other
    // compressible columns (ImportWriteCostSql).
    public partial class ImportWriteCost : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(ImportWriteCostSql.Up);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(ImportWriteCostSql.Down);
        }
    }
}
