using Cms.Migrations.Sql;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cms.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class AuditSealing : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(AuditSealingSql.UpBefore);

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

            migrationBuilder.AlterColumn<long>(
                name: "seq",
                table: "audit_events",
                type: "bigint",
                nullable: true,
                oldClrType: typeof(long),
                oldType: "bigint");

            migrationBuilder.AlterColumn<string>(
                name: "prev_hash",
                table: "audit_events",
                type: "character(64)",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character(64)");

            migrationBuilder.AlterColumn<string>(
                name: "hash",
                table: "audit_events",
                type: "character(64)",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character(64)");

            migrationBuilder.CreateIndex(
                name: "ix_audit_events_by_action",
                table: "audit_events",
                columns: new[] { "action", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_events_by_actor",
                table: "audit_events",
                columns: new[] { "actor", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_events_seq",
                table: "audit_events",
                column: "seq",
                unique: true,
                filter: "seq IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_audit_events_target",
                table: "audit_events",
                columns: new[] { "entity_type", "entity_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_events_unsealed",
                table: "audit_events",
                column: "id",
                filter: "seq IS NULL");

            migrationBuilder.Sql(AuditSealingSql.Up);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(AuditSealingSql.DownBefore);

            migrationBuilder.DropIndex(
                name: "ix_audit_events_by_action",
                table: "audit_events");

            migrationBuilder.DropIndex(
                name: "ix_audit_events_by_actor",
                table: "audit_events");

            migrationBuilder.DropIndex(
                name: "ix_audit_events_seq",
                table: "audit_events");

            migrationBuilder.DropIndex(
                name: "ix_audit_events_target",
                table: "audit_events");

            migrationBuilder.DropIndex(
                name: "ix_audit_events_unsealed",
                table: "audit_events");

            migrationBuilder.AlterColumn<long>(
                name: "seq",
                table: "audit_events",
                type: "bigint",
                nullable: false,
                defaultValue: 0L,
                oldClrType: typeof(long),
                oldType: "bigint",
                oldNullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "prev_hash",
                table: "audit_events",
                type: "character(64)",
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "character(64)",
                oldNullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "hash",
                table: "audit_events",
                type: "character(64)",
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "character(64)",
                oldNullable: true);

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

            migrationBuilder.Sql(AuditSealingSql.Down);
        }
    }
}
