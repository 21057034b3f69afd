using Cms.Data;
using Cms.Migrations.Sql;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cms.Migrations.Migrations
{
    // REVIEW12 R12-7: delivered topic keys computed from the cleaned names (DeliveredTopicKeySql).
    // The model is unchanged.
    [DbContext(typeof(CmsDbContext))]
    [Migration("20261207091000_DeliveredTopicKeysCleaned")]
    public partial class DeliveredTopicKeysCleaned : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(DeliveredTopicKeySql.Recompute);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The cleaned keys are what the request side computes: nothing to take back.
        }
    }
}
