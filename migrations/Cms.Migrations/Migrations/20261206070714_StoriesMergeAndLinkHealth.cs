using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cms.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class StoriesMergeAndLinkHealth : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateSequence(
                name: "story_ids");

            migrationBuilder.AddColumn<long>(
                name: "merged_from_item_id",
                table: "related_links",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "merged_into_id",
                table: "items",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "story_id",
                table: "items",
                type: "bigint",
                nullable: false,
                defaultValueSql: "nextval('story_ids')");

            migrationBuilder.AddColumn<int[]>(
                name: "story_keys",
                table: "items",
                type: "integer[]",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "story_sim_hash",
                table: "items",
                type: "bigint",
                nullable: true);

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

            migrationBuilder.CreateTable(
                name: "story_term_counts",
                columns: table => new
                {
                    term = table.Column<int>(type: "integer", nullable: false),
                    items = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_story_term_counts", x => x.term);
                });

            migrationBuilder.CreateIndex(
                name: "ix_related_links_merged_from_item_id",
                table: "related_links",
                column: "merged_from_item_id",
                filter: "merged_from_item_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_items_story_id",
                table: "items",
                column: "story_id");

            migrationBuilder.CreateIndex(
                name: "ix_items_story_keys",
                table: "items",
                column: "story_keys")
                .Annotation("Npgsql:IndexMethod", "GIN")
                .Annotation("Npgsql:StorageParameter:fastupdate", false);

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

            migrationBuilder.DropTable(
                name: "story_term_counts");

            migrationBuilder.DropIndex(
                name: "ix_related_links_merged_from_item_id",
                table: "related_links");

            migrationBuilder.DropIndex(
                name: "ix_items_story_id",
                table: "items");

            migrationBuilder.DropIndex(
                name: "ix_items_story_keys",
                table: "items");

            migrationBuilder.DropColumn(
                name: "merged_from_item_id",
                table: "related_links");

            migrationBuilder.DropColumn(
                name: "merged_into_id",
                table: "items");

            migrationBuilder.DropColumn(
                name: "story_id",
                table: "items");

            migrationBuilder.DropColumn(
                name: "story_keys",
                table: "items");

            migrationBuilder.DropColumn(
                name: "story_sim_hash",
                table: "items");

            migrationBuilder.DropSequence(
                name: "story_ids");
        }
    }
}
