using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cms.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class QueueCountsAndIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "item_state_counts",
                columns: table => new
                {
                    state = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    count = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_item_state_counts", x => x.state);
                });

            migrationBuilder.CreateIndex(
                name: "ix_items_queue_date",
                table: "items",
                columns: new[] { "published_at", "id" },
                filter: "state IN ('New', 'Ready')");

            migrationBuilder.CreateIndex(
                name: "ix_items_queue_heat",
                table: "items",
                columns: new[] { "heat", "id" },
                filter: "state IN ('New', 'Ready')");

            migrationBuilder.CreateIndex(
                name: "ix_items_queue_quality",
                table: "items",
                columns: new[] { "quality", "id" },
                filter: "state IN ('New', 'Ready')");

            // Statement-level triggers with transition tables: one aggregate per statement, so a
            // COPY of a thousand items costs one update of the counts, not a thousand.
            migrationBuilder.Sql("""
                CREATE FUNCTION items_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  INSERT INTO item_state_counts (state, count)
                  SELECT state, count(*) FROM new_rows GROUP BY state
                  ON CONFLICT (state) DO UPDATE SET count = item_state_counts.count + excluded.count;
                  RETURN NULL;
                END $$;

                CREATE FUNCTION items_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  INSERT INTO item_state_counts (state, count)
                  SELECT state, -count(*) FROM old_rows GROUP BY state
                  ON CONFLICT (state) DO UPDATE SET count = item_state_counts.count + excluded.count;
                  RETURN NULL;
                END $$;

                CREATE FUNCTION items_count_updated() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  INSERT INTO item_state_counts (state, count)
                  SELECT state, sum(delta) FROM (
                    SELECT state, 1 AS delta FROM new_rows
                    UNION ALL
                    SELECT state, -1 FROM old_rows) moves
                  GROUP BY state HAVING sum(delta) <> 0
                  ON CONFLICT (state) DO UPDATE SET count = item_state_counts.count + excluded.count;
                  RETURN NULL;
                END $$;

                CREATE TRIGGER items_count_insert AFTER INSERT ON items
                  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION items_count_inserted();
                CREATE TRIGGER items_count_delete AFTER DELETE ON items
                  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION items_count_deleted();
                CREATE TRIGGER items_count_update AFTER UPDATE ON items
                  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION items_count_updated();

                INSERT INTO item_state_counts (state, count) SELECT state, count(*) FROM items GROUP BY state;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER items_count_insert ON items;
                DROP TRIGGER items_count_delete ON items;
                DROP TRIGGER items_count_update ON items;
                DROP FUNCTION items_count_inserted();
                DROP FUNCTION items_count_deleted();
                DROP FUNCTION items_count_updated();
                """);

            migrationBuilder.DropTable(
                name: "item_state_counts");

            migrationBuilder.DropIndex(
                name: "ix_items_queue_date",
                table: "items");

            migrationBuilder.DropIndex(
                name: "ix_items_queue_heat",
                table: "items");

            migrationBuilder.DropIndex(
                name: "ix_items_queue_quality",
                table: "items");
        }
    }
}
