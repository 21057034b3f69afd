using Cms.Application.Auditing;
using Cms.Application.Comments;
using Cms.Application.Delivery;
using Cms.Application.Importing;
using Cms.Application.Items;
using Cms.Application.Notifications;
using Cms.Application.Outbound;
using Cms.Application.Queue;
using Cms.Application.Topics;
using Cms.Application.Users;
using Cms.Core.FrontMatter;
using Cms.Core.Items;
using Cms.Core.Text;
using Cms.Data;
using Cms.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests;

// Every place of the application layer that clips user text shown or stored cuts through
// UnicodeText.Clip (POLISH9): an emoji at the bound is never cut in half. Half a surrogate pair is
// written as U+FFFD on a page and refused by PostgreSQL's UTF-8 encoder when stored.
public sealed class ClipPlacesTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    private const string Emoji = "\U0001F600";

    // n - 1 letters, then an emoji straddling the bound n.
    private static string AtBound(int n, char letter = 'a') => new string(letter, n - 1) + Emoji + " and more";

    private static void Whole(string? text) => Assert.True(text is null || UnicodeText.FindUnpairedSurrogate(text) < 0, $"'{text}' holds half of a surrogate pair");

    [Fact]
    public void A_long_history_value_is_cut_between_whole_characters()
    {
        var cut = AuditHistory.Cut(AtBound(AuditHistory.MaxDetailChars));

        Whole(cut);
        Assert.StartsWith(new string('a', AuditHistory.MaxDetailChars - 1) + "… (", cut);
    }

    [Fact]
    public void An_actor_name_stored_in_the_audit_trail_is_cut_between_whole_characters()
    {
        var capped = AuditLog.Cap(AtBound(256), 256);

        Assert.Equal(new string('a', 255), capped);
    }

    [Fact]
    public void A_notification_reason_is_cut_between_whole_characters()
    {
        Assert.Equal(new string('a', Notifier.MaxReasonLength - 1), Notifier.Cap(AtBound(Notifier.MaxReasonLength)));
    }

    [Fact]
    public void A_refused_topic_name_quoted_back_is_cut_between_whole_characters()
    {
        Assert.Equal(new string('a', 39) + "…", TopicVocabulary.Shorten(AtBound(40)));
    }

    [Fact]
    public void A_refused_comment_field_quoted_back_is_cut_between_whole_characters()
    {
        Assert.Equal(new string('a', 39) + "…", ItemComments.Cap(AtBound(40)));
    }

    [Fact]
    public void A_changed_field_of_a_delivered_item_in_the_audit_is_cut_between_whole_characters()
    {
        var before = System.Text.Json.JsonSerializer.Serialize(new { title = "old" });
        var after = System.Text.Json.JsonSerializer.Serialize(new { title = AtBound(DeliveryRecorder.MaxAuditValue) });

        var change = Assert.Single(DeliveryRecorder.Changes(before, after));

        var shown = (string)change.GetType().GetProperty("after")!.GetValue(change)!;
        Assert.Equal(new string('a', DeliveryRecorder.MaxAuditValue - 1) + "…", shown);
    }

    [Fact]
    public void A_remote_answer_stored_is_cut_between_whole_characters()
    {
        Assert.Equal(new string('a', 99), RemoteText.Storable(AtBound(100), 100));
    }

    [Fact]
    public void A_sign_in_account_key_is_cut_between_whole_characters()
    {
        var key = SignInRecords.AccountKey(AtBound(256));

        Whole(key);
        Assert.Equal(255, key.Length);
    }

    [Fact]
    public void A_changed_field_name_of_a_source_revision_is_cut_between_whole_characters()
    {
        var comparer = new RevisionComparer(new YamlFrontMatterReader());
        var name = AtBound(RevisionComparer.MaxFieldNameLength);

        var comparison = comparer.Compare("title: \"t\"\n", $"title: \"t\"\n\"{name}\": 1\n");

        Assert.Equal(new string('a', RevisionComparer.MaxFieldNameLength - 1) + "…", Assert.Single(comparison.ChangedFields));
    }

    [Fact]
    public async Task A_bulk_refusal_names_each_item_by_a_title_cut_between_whole_characters()
    {
        var title = AtBound(80, 'T') + " " + Unique.Tag();
        var id = (await app.ImportAsync(new TestItem { Title = title }.ToYaml()))[0];

        var outcome = await app.RunAsync(s => s.GetRequiredService<BulkEdit>()
            .HandleAsync(Actors.Publisher(), new BulkEdit.Command([id], nameof(WorkflowAction.Publish), null), CancellationToken.None));

        Whole(outcome.Message);
        Assert.Contains($"#{id} “{new string('T', 79)}…”", outcome.Message);
    }

    [Fact]
    public async Task A_too_long_topic_quoted_back_by_the_item_editor_is_cut_between_whole_characters()
    {
        var id = (await app.ImportAsync(new TestItem().ToYaml()))[0];
        var item = app.Read(db => db.Items.AsNoTracking().Include(i => i.RelatedLinks).Single(i => i.Id == id));
        var command = new SaveItemEdits.Command(id, item.Version, item.Quality, item.Category,
            [AtBound(20) + new string('z', ItemParser.MaxTopicLength)], [], null);

        var outcome = await app.RunAsync(s => s.GetRequiredService<SaveItemEdits>().HandleAsync(Actors.Editor(), command, CancellationToken.None));

        var error = Assert.Single(outcome.Errors, e => e.Field == nameof(SaveItemEdits.Command.Topics));
        Assert.StartsWith($"Topic '{new string('a', 19)}…' is longer", error.Message);
    }

    [Fact]
    public async Task An_unknown_revision_field_quoted_back_is_cut_between_whole_characters()
    {
        var id = (await app.ImportAsync(new TestItem().ToYaml()))[0];

        var outcome = await app.RunAsync(s => s.GetRequiredService<SourceRevisions>()
            .AcceptAsync(Actors.Editor(), id, 1, 0, [AtBound(40)], CancellationToken.None));

        var error = Assert.Single(outcome.Errors);
        Assert.Equal($"'{new string('a', 39)}…' is not a field of an item.", error.Message);
    }
}
