using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cms.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class LinkHealth : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "link_checks",
                columns: table => new
                {
                    url = table.Column<string>(type: "text", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    http_status = table.Column<int>(type: "integer", nullable: true),
                    final_url = table.Column<string>(type: "text", nullable: true),
                    hops = table.Column<string>(type: "jsonb", nullable: true),
                    detail = table.Column<string>(type: "text", nullable: true),
                    failures = table.Column<int>(type: "integer", nullable: false),
                    first_failure_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    checked_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    next_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    pending_url = table.Column<string>(type: "text", nullable: false),
                    pending_host = table.Column<string>(type: "text", nullable: false),
                    pending_method = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    pending_hops = table.Column<string>(type: "jsonb", nullable: true),
                    pending_permanent = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_link_checks", x => x.url);
                });

            migrationBuilder.CreateTable(
                name: "link_discoveries",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    last_related_link_id = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_link_discoveries", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "link_hosts",
                columns: table => new
                {
                    host = table.Column<string>(type: "text", nullable: false),
                    next_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    lease_owner = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    lease_until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_link_hosts", x => x.host);
                });

            migrationBuilder.CreateIndex(
                name: "ix_link_checks_pending_host_next_at",
                table: "link_checks",
                columns: new[] { "pending_host", "next_at" });

            migrationBuilder.CreateIndex(
                name: "ix_link_checks_status",
                table: "link_checks",
                column: "status");

            migrationBuilder.CreateIndex(
                name: "ix_link_hosts_next_at",
                table: "link_hosts",
                column: "next_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "link_checks");

            migrationBuilder.DropTable(
                name: "link_discoveries");

            migrationBuilder.DropTable(
                name: "link_hosts");
        }
    }
}
