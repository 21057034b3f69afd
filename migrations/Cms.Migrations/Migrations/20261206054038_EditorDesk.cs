using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;
using Cms.Migrations.Sql;

#nullable disable

namespace Cms.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class EditorDesk : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(SearchFoldingSql.Up);

            migrationBuilder.CreateTable(
                name: "saved_views",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    owner_id = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: false),
                    owner_name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    query = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    shared_with = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_saved_views", x => x.id);
                    table.ForeignKey(
                        name: "fk_saved_views_asp_net_users_owner_id",
                        column: x => x.owner_id,
                        principalTable: "AspNetUsers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "saved_view_choices",
                columns: table => new
                {
                    user_id = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: false),
                    view_id = table.Column<long>(type: "bigint", nullable: false),
                    position = table.Column<int>(type: "integer", nullable: false),
                    is_default = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_saved_view_choices", x => new { x.user_id, x.view_id });
                    table.ForeignKey(
                        name: "fk_saved_view_choices_asp_net_users_user_id",
                        column: x => x.user_id,
                        principalTable: "AspNetUsers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_saved_view_choices_saved_views_view_id",
                        column: x => x.view_id,
                        principalTable: "saved_views",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_items_queue_received",
                table: "items",
                columns: new[] { "imported_at", "id" },
                filter: "state IN ('New', 'Ready')");

            migrationBuilder.CreateIndex(
                name: "ix_items_state_imported_at_id",
                table: "items",
                columns: new[] { "state", "imported_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_saved_view_choices_default",
                table: "saved_view_choices",
                column: "user_id",
                unique: true,
                filter: "is_default");

            migrationBuilder.CreateIndex(
                name: "ix_saved_view_choices_view_id",
                table: "saved_view_choices",
                column: "view_id");

            migrationBuilder.CreateIndex(
                name: "ix_saved_views_owner_id_name",
                table: "saved_views",
                columns: new[] { "owner_id", "name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_saved_views_shared_with",
                table: "saved_views",
                column: "shared_with",
                filter: "shared_with IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "saved_view_choices");

            migrationBuilder.DropTable(
                name: "saved_views");

            migrationBuilder.DropIndex(
                name: "ix_items_queue_received",
                table: "items");

            migrationBuilder.DropIndex(
                name: "ix_items_state_imported_at_id",
                table: "items");

            migrationBuilder.Sql(SearchFoldingSql.Down);
        }
    }
}
