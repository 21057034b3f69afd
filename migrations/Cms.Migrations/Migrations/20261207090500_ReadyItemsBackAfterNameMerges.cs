using Cms.Data;
using Cms.Migrations.Sql;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cms.Migrations.Migrations
{
    // REVIEW12 R12-2: Ready items whose topic or category a name merge of the migrations respelled
    // go back to New (ReadyAfterNameMergeSql). The model is unchanged.
    [DbContext(typeof(CmsDbContext))]
    [Migration("20261207090500_ReadyItemsBackAfterNameMerges")]
    public partial class ReadyItemsBackAfterNameMerges : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(ReadyAfterNameMergeSql.SendBack);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Nothing to take back: who reviewed what is not restored (a person marks it ready again).
        }
    }
}
