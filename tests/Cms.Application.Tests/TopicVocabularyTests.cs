using Cms.Application.Topics;
using Cms.Core.Auditing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests;

public sealed class TopicVocabularyTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    private Task<Outcome<List<Data.Entities.Topic>>> ResolveAsync(Actor actor, params string[] names) =>
        app.RunAsync(async s =>
        {
            var db = s.GetRequiredService<Data.CmsDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync();
            var outcome = await s.GetRequiredService<TopicVocabulary>().ResolveAsync(actor, "Topics", names, CancellationToken.None);
            await db.SaveChangesAsync();
            await tx.CommitAsync();
            return outcome;
        });

    [Fact]
    public async Task An_editor_naming_an_unknown_topic_is_refused_and_nothing_is_created()
    {
        var name = $"Unknown {Guid.NewGuid():N}";

        var outcome = await ResolveAsync(Actors.Editor(), name);

        Assert.Equal(OutcomeStatus.Invalid, outcome.Result.Status);
        Assert.Contains($"Unknown topic: {name}", outcome.Result.Message);
        Assert.False(app.Read(db => db.Topics.Any(t => t.Name == name)));
    }

    [Fact]
    public async Task A_publisher_creates_an_unknown_topic_once_with_its_audit_event()
    {
        var name = $"Fresh {Guid.NewGuid():N}";

        var first = await ResolveAsync(Actors.Publisher(), name);
        var second = await ResolveAsync(Actors.Publisher(), name.ToUpperInvariant());

        Assert.True(first.Succeeded);
        Assert.Equal(first.Value![0].Id, second.Value![0].Id);
        var id = first.Value[0].Id.ToString();
        Assert.Equal(1, app.Read(db => db.AuditEvents.Count(a => a.Action == AuditActions.TopicCreated && a.EntityId == id && a.Actor == "publisher@example.com")));
    }

    [Fact]
    public async Task Names_resolve_to_known_topics_regardless_of_case_and_surrounding_spaces()
    {
        var name = $"Known {Guid.NewGuid():N}";
        var created = await ResolveAsync(Actors.Publisher(), name);

        var resolved = await ResolveAsync(Actors.Editor(), $"  {name.ToLowerInvariant()} ");

        Assert.True(resolved.Succeeded);
        Assert.Equal(created.Value![0].Id, resolved.Value![0].Id);
        Assert.Equal(name, resolved.Value[0].Name);
    }

    [Fact]
    public async Task Import_creates_unknown_topics_marked_as_from_import_with_an_event_each()
    {
        var name = $"Pipeline {Guid.NewGuid():N}";

        await app.ImportAsync(new TestItem { Topics = [name] }.ToYaml());

        var topic = app.Read(db => db.Topics.Single(t => t.Name == name));
        Assert.True(topic.FromImport);
        Assert.Equal(1, app.Read(db => db.AuditEvents.Count(a => a.Action == AuditActions.TopicCreated && a.EntityId == topic.Id.ToString())));
    }

    // Item ids come from the items sequence, one nextval per id (the sequence is looked up once
    // per statement): each call's ids are distinct, new and ascending, whichever call reserved them.
    [Fact]
    public async Task Reserved_item_ids_are_distinct_and_new_in_every_call()
    {
        var (first, second, copied) = await app.RunAsync<(List<long>, List<long>, List<long>)>(async s =>
        {
            var db = s.GetRequiredService<Data.CmsDbContext>();
            await db.Database.OpenConnectionAsync();
            var vocabulary = s.GetRequiredService<TopicVocabulary>();
            var a = (await vocabulary.EnsureFromImportAsync(Actors.Pipeline, [], 25, CancellationToken.None)).ItemIds;
            var b = (await vocabulary.EnsureFromImportAsync(Actors.Pipeline, [], 25, CancellationToken.None)).ItemIds;
            var c = await Importing.ItemCopy.ReserveIdsAsync((Npgsql.NpgsqlConnection)db.Database.GetDbConnection(), 25, CancellationToken.None);
            return (a, b, c);
        });

        var all = first.Concat(second).Concat(copied).ToList();
        Assert.Equal(75, all.Distinct().Count());
        Assert.All(new[] { first, second, copied }, ids => Assert.Equal(ids.Order(), ids));
        Assert.True(first.Max() < second.Min() && second.Max() < copied.Min());
    }
}
