using Cms.Migrations.Sql;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cms.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class EditorSearch : Migration
    {
        // Generated columns are dropped and re-added by hand (see SearchSql); EF's AlterColumn
        // cannot change a stored generated column's expression on PostgreSQL 15.
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(SearchSql.Up);

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(SearchSql.Down);
    }
}
