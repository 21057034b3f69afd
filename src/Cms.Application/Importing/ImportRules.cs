using Cms.Application.Topics;
using Cms.Core.Items;
using Cms.Core.Security;

namespace Cms.Application.Importing;

// What an import may do for whom, decided for a whole batch at once:
// - a new file with `published: true` becomes a Published item only for an actor who may publish
//   (the pipeline: `./cms import`, first-run samples; a Publisher or Admin uploading);
// - a file that names a topic or category the CMS does not know yet is imported only for an actor
//   who may create topics (ManageTopics, the same rule as the item page; the pipeline holds it),
//   and what it creates is marked as from import. For anyone else (an Editor's upload) such a file
//   is refused by name, and nothing is created.
public sealed class ImportRules
{
    private readonly Actor _actor;
    private readonly HashSet<string> _unknownTopics;
    private readonly HashSet<string> _unknownCategories;

    private ImportRules(Actor actor, HashSet<string> unknownTopics, HashSet<string> unknownCategories)
    {
        _actor = actor;
        _unknownTopics = unknownTopics;
        _unknownCategories = unknownCategories;
    }

    public static async Task<ImportRules> ForBatchAsync(Actor actor, TopicVocabulary topics, IReadOnlyList<PreparedItem> batch, CancellationToken ct)
    {
        if (actor.Can(Permissions.ManageTopics))
        {
            return new ImportRules(actor, [], []);
        }
        return new ImportRules(actor,
            await topics.UnknownTopicsAsync(batch.SelectMany(b => b.Parsed.Topics), ct),
            await topics.UnknownCategoriesAsync(Categories(batch), ct));
    }

    // Categories that join the managed list (longer ones do not fit its column and stay off it).
    public static IEnumerable<string> Categories(IEnumerable<PreparedItem> items) =>
        items.Select(i => i.Parsed.Category).Where(c => !string.IsNullOrWhiteSpace(c) && c.Length <= ImportWriter.CategoryColumnLength).Select(c => c!);

    // The topics of a file that are not topics yet and that this actor may not create.
    public IEnumerable<string> MissingTopics(PreparedItem prepared) =>
        prepared.Parsed.Topics.Where(t => _unknownTopics.Contains(TopicNames.Normalize(t))).DistinctBy(TopicNames.Normalize);

    // Null when the file may be written; otherwise the reason, for the report and the audit.
    public string? Refusal(PreparedItem prepared, bool isNew)
    {
        var parsed = prepared.Parsed;
        if (isNew && parsed.Published && !_actor.Can(Permissions.PublishItems))
        {
            return $"published: true: importing an item as Published needs the {Permissions.PublishItems} permission " +
                   "(the pipeline's ./cms import, a Publisher or an Admin); send it with published: false to import it for review";
        }
        if (parsed.Topics.FirstOrDefault(t => _unknownTopics.Contains(TopicNames.Normalize(t))) is { } topic)
        {
            return $"topics: '{topic}' is not a topic yet, and creating topics needs the {Permissions.ManageTopics} permission. {TopicVocabulary.UnknownTopicHint}";
        }
        if (parsed.Category is { } category && _unknownCategories.Contains(category))
        {
            return $"category: '{category}' is not in the list of categories yet, and adding one needs the {Permissions.ManageTopics} permission. Ask a publisher to import it.";
        }
        return null;
    }
}
