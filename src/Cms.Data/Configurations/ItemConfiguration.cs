using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Cms.Data.Configurations;

public sealed class ItemConfiguration : IEntityTypeConfiguration<Item>
{
    public void Configure(EntityTypeBuilder<Item> builder)
    {
        builder.Property(i => i.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(i => i.SourceHash).HasMaxLength(64);
        builder.Ignore(i => i.SourceYamlUtf8);
        builder.Property(i => i.ImagesJson).HasColumnType("jsonb");
        builder.HasIndex(i => i.OriginalUrl).IsUnique();
        // The queue: unpublished items, newest first, keyset on (published_at, id).
        builder.HasIndex(i => new { i.State, i.PublishedAt, i.Id });
        builder.HasIndex(i => new { i.Category, i.PublishedAt });
        builder.HasIndex(i => i.SourceChanged).HasFilter("source_changed");
        builder.HasIndex(i => new { i.Quality, i.Id });
        builder.HasIndex(i => new { i.Heat, i.Id });
        // The default queue ("not yet published") in each sort order, as partial indexes over
        // ItemQueue's predicate, which the queue's queries use too.
        builder.HasIndex(i => new { i.PublishedAt, i.Id }, "ix_items_queue_date").HasFilter(ItemQueue.Sql).HasDatabaseName("ix_items_queue_date");
        builder.HasIndex(i => new { i.Quality, i.Id }, "ix_items_queue_quality").HasFilter(ItemQueue.Sql).HasDatabaseName("ix_items_queue_quality");
        builder.HasIndex(i => new { i.Heat, i.Id }, "ix_items_queue_heat").HasFilter(ItemQueue.Sql).HasDatabaseName("ix_items_queue_heat");
        // A category within the default queue, newest first, read in order (no sort of the matches);
        // topic and search conditions filter the walk (docs/benchmarks.md, "Queue plans"). Quality is
        // the last key so that a quality range is checked in the index, not on each row read.
        builder.HasIndex(i => new { i.Category, i.PublishedAt, i.Id, i.Quality }, "ix_items_queue_category_date").HasFilter(ItemQueue.Sql).HasDatabaseName("ix_items_queue_category_date");
        // Received (imported) date: the queue's "today's arrivals", in the default queue and per state.
        builder.HasIndex(i => new { i.ImportedAt, i.Id }, "ix_items_queue_received").HasFilter(ItemQueue.Sql).HasDatabaseName("ix_items_queue_received");
        builder.HasIndex(i => new { i.State, i.ImportedAt, i.Id });
        // The editors' search (QueueSearch): English and Russian stemming plus the word-for-word
        // 'simple' vector for every other script, each folding accents (unaccent), and Arabic
        // stemming of the Arabic words with their attached particles taken off. The migration's
        // item_search_vector (migration SearchVectorSeal) holds the same text. It is not a generated
        // column: a BEFORE INSERT/UPDATE trigger keeps it, so that the importer may supply vectors
        // computed beforehand, sealed for their text (SearchVectorSealSql); EF never writes it.
        builder.Property(i => i.SearchVector).ValueGeneratedOnAddOrUpdate();
        builder.HasIndex(i => i.SearchVector).HasMethod("GIN");
        builder.Property(i => i.ReadyBy).HasMaxLength(450);
        builder.Property(i => i.ReadyByName).HasMaxLength(256);
        builder.Property(i => i.PublishScheduledBy).HasMaxLength(450);
        builder.Property(i => i.PublishScheduledByName).HasMaxLength(256);
        builder.Property(i => i.OutputFile).HasMaxLength(260);
        builder.HasIndex(i => i.OutputFile).IsUnique().HasFilter("output_file IS NOT NULL");
        // The scheduler's question: which Ready items are due.
        builder.HasIndex(i => i.PublishAt).HasFilter("publish_at IS NOT NULL");
        // The provider filter: words of the name and labels of the domain, matched by prefix.
        builder.Property(i => i.ProviderSearch).HasComputedColumnSql(ProviderSearchSql, stored: true);
        builder.HasIndex(i => i.ProviderSearch).HasMethod("GIN");
        // Stories: members of a story. The candidate search reads story_window_keys, not a GIN
        // index over story_keys: GIN found every item ever stored under a key, not those of the
        // window (docs/benchmarks.md, "Stories").
        builder.Property(i => i.StoryId).HasDefaultValueSql("nextval('story_ids')");
        builder.HasIndex(i => i.StoryId);
        builder.HasMany(i => i.RelatedLinks).WithOne(r => r.Item).HasForeignKey(r => r.ItemId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(i => i.Topics).WithOne().HasForeignKey(t => t.ItemId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(i => i.Revisions).WithOne().HasForeignKey(r => r.ItemId).OnDelete(DeleteBehavior.Cascade);
    }

    // The item's language plus 'simple': Russian stemming when the text has Cyrillic letters,
    // English otherwise (both configurations stem ASCII words the same, with english_stem), and
    // every word as written, accents folded. One stemmed vector instead of two is a third less of
    // what makes storing an item expensive (docs/benchmarks.md "Import"); searches still try every
    // configuration (QueueSearch), so a query finds an item in whichever language it was stemmed.
    public const string CyrillicLetters = @"\u0400-\u04FF";

    public const string SearchVectorSql =
        "(CASE WHEN coalesce(title, '') || ' ' || coalesce(excerpt, '') ~ '[" + CyrillicLetters + "]'"
        + " THEN to_tsvector('russian_folded', coalesce(title, '') || ' ' || coalesce(excerpt, ''))"
        + " ELSE to_tsvector('english_folded', coalesce(title, '') || ' ' || coalesce(excerpt, '')) END)"
        + " || to_tsvector('simple_folded', coalesce(title, '') || ' ' || coalesce(excerpt, ''))"
        + " || " + ArabicVectorSql;

    // Arabic writes the prepositions and conjunctions bi-, ka-, li-, wa-, fa- (and with al-) onto
    // the next word: "لتحلية" (for desalination) should be found by "تحلية". PostgreSQL's Arabic
    // stemmer removes al- but not these, so the Arabic words alone (only when the text has any,
    // a cheap test on the rest) are stemmed after taking one such particle off a word that keeps
    // three letters. The unstripped words are in the 'simple' vector, so an exact search still matches.
    public const string ArabicLetters = @"\u0621-\u064A";

    public const string ArabicParticles =
        @"(^| )(?:[\u0648\u0641]?(?:\u0628\u0627\u0644|\u0643\u0627\u0644|\u0644\u0644|\u0627\u0644|[\u0628\u0643\u0644])|[\u0648\u0641])(?=[" + ArabicLetters + "]{3})";

    public const string ArabicVectorSql =
        "(CASE WHEN coalesce(title, '') || ' ' || coalesce(excerpt, '') ~ '[" + ArabicLetters + "]'"
        + " THEN to_tsvector('arabic', regexp_replace(regexp_replace(coalesce(title, '') || ' ' || coalesce(excerpt, ''), '[^" + ArabicLetters + "]+', ' ', 'g'), '"
        + ArabicParticles + "', '\\1', 'g')) ELSE ''::tsvector END)";

    public const string ProviderSearchSql =
        "to_tsvector('simple_folded', coalesce(provider_name, '') || ' ' || replace(coalesce(provider_domain, ''), '.', ' '))";
}
