using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Cms.Migrations.Sql;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Cms.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class PublishWorkflowAndAuditTrail : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(AuditTrailSql.UpBefore);

            migrationBuilder.DropIndex(
                name: "ix_audit_events_entity_type_entity_id",
                table: "audit_events");

            migrationBuilder.DropColumn(
                name: "data",
                table: "audit_events");

            migrationBuilder.AddColumn<string>(
                name: "output_file",
                table: "items",
                type: "character varying(260)",
                maxLength: 260,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "publish_at",
                table: "items",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "publish_scheduled_by",
                table: "items",
                type: "character varying(450)",
                maxLength: 450,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "publish_scheduled_by_name",
                table: "items",
                type: "character varying(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ready_at",
                table: "items",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ready_by",
                table: "items",
                type: "character varying(450)",
                maxLength: 450,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ready_by_name",
                table: "items",
                type: "character varying(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "actor_id",
                table: "audit_events",
                type: "character varying(450)",
                maxLength: 450,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "hash",
                table: "audit_events",
                type: "character(64)",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "ip",
                table: "audit_events",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "payload",
                table: "audit_events",
                type: "text",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "prev_hash",
                table: "audit_events",
                type: "character(64)",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "request_id",
                table: "audit_events",
                type: "character varying(128)",
                maxLength: 128,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "seq",
                table: "audit_events",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateTable(
                name: "publish_jobs",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    item_id = table.Column<long>(type: "bigint", nullable: false),
                    trigger = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    requested_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    next_attempt_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    result = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    file_name = table.Column<string>(type: "character varying(260)", maxLength: 260, nullable: true),
                    content_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    worker = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_publish_jobs", x => x.id);
                    table.ForeignKey(
                        name: "fk_publish_jobs_items_item_id",
                        column: x => x.item_id,
                        principalTable: "items",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_items_output_file",
                table: "items",
                column: "output_file",
                unique: true,
                filter: "output_file IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_items_publish_at",
                table: "items",
                column: "publish_at",
                filter: "publish_at IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_audit_events_action_seq",
                table: "audit_events",
                columns: new[] { "action", "seq" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_events_actor_seq",
                table: "audit_events",
                columns: new[] { "actor", "seq" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_events_entity_type_entity_id_seq",
                table: "audit_events",
                columns: new[] { "entity_type", "entity_id", "seq" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_events_seq",
                table: "audit_events",
                column: "seq",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_publish_jobs_due",
                table: "publish_jobs",
                columns: new[] { "next_attempt_at", "id" },
                filter: "status = 'Pending'");

            migrationBuilder.CreateIndex(
                name: "ix_publish_jobs_item_id_id",
                table: "publish_jobs",
                columns: new[] { "item_id", "id" });

            migrationBuilder.Sql(AuditTrailSql.Up);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(AuditTrailSql.DownBefore);

            migrationBuilder.DropTable(
                name: "publish_jobs");

            migrationBuilder.DropIndex(
                name: "ix_items_output_file",
                table: "items");

            migrationBuilder.DropIndex(
                name: "ix_items_publish_at",
                table: "items");

            migrationBuilder.DropIndex(
                name: "ix_audit_events_action_seq",
                table: "audit_events");

            migrationBuilder.DropIndex(
                name: "ix_audit_events_actor_seq",
                table: "audit_events");

            migrationBuilder.DropIndex(
                name: "ix_audit_events_entity_type_entity_id_seq",
                table: "audit_events");

            migrationBuilder.DropIndex(
                name: "ix_audit_events_seq",
                table: "audit_events");

            migrationBuilder.DropColumn(
                name: "output_file",
                table: "items");

            migrationBuilder.DropColumn(
                name: "publish_at",
                table: "items");

            migrationBuilder.DropColumn(
                name: "publish_scheduled_by",
                table: "items");

            migrationBuilder.DropColumn(
                name: "publish_scheduled_by_name",
                table: "items");

            migrationBuilder.DropColumn(
                name: "ready_at",
                table: "items");

            migrationBuilder.DropColumn(
                name: "ready_by",
                table: "items");

            migrationBuilder.DropColumn(
                name: "ready_by_name",
                table: "items");

            migrationBuilder.DropColumn(
                name: "actor_id",
                table: "audit_events");

            migrationBuilder.DropColumn(
                name: "hash",
                table: "audit_events");

            migrationBuilder.DropColumn(
                name: "ip",
                table: "audit_events");

            migrationBuilder.DropColumn(
                name: "payload",
                table: "audit_events");

            migrationBuilder.DropColumn(
                name: "prev_hash",
                table: "audit_events");

            migrationBuilder.DropColumn(
                name: "request_id",
                table: "audit_events");

            migrationBuilder.DropColumn(
                name: "seq",
                table: "audit_events");

            migrationBuilder.AddColumn<string>(
                name: "data",
                table: "audit_events",
                type: "jsonb",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_audit_events_entity_type_entity_id",
                table: "audit_events",
                columns: new[] { "entity_type", "entity_id" });

            migrationBuilder.Sql(AuditTrailSql.Down);
        }
    }
}
