using Cms.Migrations.Sql;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Cms.Migrations.Migrations
{
    // POLISH10: topics that differ only in letter case are one topic, under the categories' rule:
    // the case twins stored before merged into the oldest with their audit events (TopicCaseSql),
    // then the key column computed by the database (cms_category_key, as categories') with its
    // unique index, and delivery's topic keys with their index (DeliveryTopicSql).
    public partial class TopicsOneRegardlessOfCase : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(TopicCaseSql.Merge);

            migrationBuilder.DropIndex(
                name: "ix_topics_normalized_name",
                table: "topics");

            migrationBuilder.DropColumn(
                name: "normalized_name",
                table: "topics");

            migrationBuilder.AddColumn<string>(
                name: "normalized_name",
                table: "topics",
                type: "text",
                nullable: false,
                computedColumnSql: "cms_category_key(name)",
                stored: true);

            migrationBuilder.CreateIndex(
                name: "ix_topics_normalized_name",
                table: "topics",
                column: "normalized_name",
                unique: true);

            migrationBuilder.DropIndex(
                name: "ix_published_items_topics",
                table: "published_items");

            migrationBuilder.AddColumn<string[]>(
                name: "topic_keys",
                table: "published_items",
                type: "text[]",
                nullable: false,
                defaultValue: new string[0]);

            migrationBuilder.Sql(DeliveryTopicSql.Fill);

            migrationBuilder.CreateIndex(
                name: "ix_published_items_topic_keys",
                table: "published_items",
                column: "topic_keys")
                .Annotation("Npgsql:IndexMethod", "GIN");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_published_items_topic_keys",
                table: "published_items");

            migrationBuilder.DropColumn(
                name: "topic_keys",
                table: "published_items");

            migrationBuilder.CreateIndex(
                name: "ix_published_items_topics",
                table: "published_items",
                column: "topics")
                .Annotation("Npgsql:IndexMethod", "GIN");

            migrationBuilder.DropIndex(
                name: "ix_topics_normalized_name",
                table: "topics");

            migrationBuilder.DropColumn(
                name: "normalized_name",
                table: "topics");

            // The key as it was (lower-cased); the merged topics are gone (their names are in the
            // audit events): not restored.
            migrationBuilder.AddColumn<string>(
                name: "normalized_name",
                table: "topics",
                type: "character varying(100)",
                maxLength: 100,
                nullable: false,
                defaultValue: "");

            migrationBuilder.Sql("UPDATE topics SET normalized_name = lower(name);");

            migrationBuilder.AlterColumn<string>(
                name: "normalized_name",
                table: "topics",
                type: "character varying(100)",
                maxLength: 100,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(100)",
                oldMaxLength: 100,
                oldDefaultValue: "");

            migrationBuilder.CreateIndex(
                name: "ix_topics_normalized_name",
                table: "topics",
                column: "normalized_name",
                unique: true);
        }
    }
}
