using System.Text.Json;
using Cms.Application.Importing;
using Cms.Application.Items;
using Cms.Application.Queue;
using Cms.Application.Topics;
using Cms.Application.Users;
using Cms.Core.Auditing;
using Cms.Core.Items;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests;

// Every handler refuses an actor without its permission the same way (Guard): Forbidden, nothing
// changed, and one authorization.refused event naming the attempted change by its AuditActions
// constant, never a loose string.
public sealed class GuardTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    private static readonly CancellationToken None = CancellationToken.None;

    public static TheoryData<string> Handlers() => [.. Calls.Keys];

    private static readonly Dictionary<string, (string Attempted, Func<IServiceProvider, long, Task<Outcome>> Call)> Calls = new()
    {
        ["save"] = (AuditActions.ItemEdited, (s, id) => s.GetRequiredService<SaveItemEdits>().HandleAsync(Actors.Nobody, new(id, 0, 5, null, [], [], null), None)),
        ["accept revision"] = (AuditActions.ItemRevisionAccepted, (s, id) => s.GetRequiredService<SourceRevisions>().AcceptAsync(Actors.Nobody, id, 1, 0, null, None)),
        ["dismiss revision"] = (AuditActions.ItemRevisionDismissed, (s, id) => s.GetRequiredService<SourceRevisions>().DismissAsync(Actors.Nobody, id, 1, 0, None)),
        ["move"] = (AuditActions.ItemStateChanged, (s, id) => s.GetRequiredService<ItemTransitions>().HandleAsync(Actors.Nobody, new(id, WorkflowAction.Reject, "no"), None)),
        ["bulk move"] = (AuditActions.ItemStateChanged, (s, id) => s.GetRequiredService<ItemTransitions>().HandleManyAsync(Actors.Nobody, [id], WorkflowAction.Reject, "no", None)),
        ["bulk edit"] = (AuditActions.ItemBulkEdited, (s, id) => s.GetRequiredService<BulkEdit>().HandleAsync(Actors.Nobody, new([id], BulkEdit.ApproveLinks, null), None)),
        ["schedule"] = (AuditActions.ItemPublishScheduled, (s, id) => s.GetRequiredService<PublishSchedule>().ScheduleAsync(Actors.Nobody, id, DateTimeOffset.UtcNow.AddDays(1), None)),
        ["cancel schedule"] = (AuditActions.ItemPublishScheduleCancelled, (s, id) => s.GetRequiredService<PublishSchedule>().CancelAsync(Actors.Nobody, id, None)),
        ["import"] = (AuditActions.ItemImported, async (s, _) => (await s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Nobody, Array.Empty<ImportFile>(), null, None)).Result),
        ["create topic"] = (AuditActions.TopicCreated, (s, _) => s.GetRequiredService<TopicAdministration>().CreateAsync(Actors.Nobody, "Guarded", None)),
        ["create an import's missing topics"] = (AuditActions.TopicCreated, (s, _) => s.GetRequiredService<TopicAdministration>().CreateManyAsync(Actors.Nobody, ["Guarded"], None)),
        ["rename topic"] = (AuditActions.TopicRenamed, (s, _) => s.GetRequiredService<TopicAdministration>().RenameAsync(Actors.Nobody, 1, "Guarded", None)),
        ["merge topics"] = (AuditActions.TopicMerged, (s, _) => s.GetRequiredService<TopicAdministration>().MergeAsync(Actors.Nobody, 1, 2, None)),
        ["create user"] = (AuditActions.UserCreated, async (s, _) => (await s.GetRequiredService<UserAdministration>().ProvisionAsync(Actors.Nobody, "x@example.com", null, Roles.Editor, None)).Result),
        ["reset password"] = (AuditActions.UserPasswordReset, async (s, _) => (await s.GetRequiredService<UserAdministration>().ResetPasswordAsync(Actors.Nobody, "x@example.com", null, null, None)).Result),
        ["set roles"] = (AuditActions.UserRoleChanged, (s, _) => s.GetRequiredService<UserAdministration>().SetRolesAsync(Actors.Nobody, "someone", [Roles.Admin], None)),
        ["lock"] = (AuditActions.UserLocked, (s, _) => s.GetRequiredService<UserAdministration>().LockAsync(Actors.Nobody, "someone", None)),
        ["end sessions"] = (AuditActions.SessionEnded, (s, _) => s.GetRequiredService<UserSessions>().EndAllAsync(Actors.Nobody, "someone", None)),
    };

    [Theory]
    [MemberData(nameof(Handlers))]
    public async Task A_refused_handler_writes_one_refusal_naming_the_attempted_change_by_its_audit_action(string handler)
    {
        var id = (await app.ImportAsync(new TestItem { RelatedCount = 1 }.ToYaml()))[0];
        var (attempted, call) = Calls[handler];
        var before = app.Read(db => db.AuditEvents.Max(e => e.Id));
        var version = app.Read(db => db.Items.Single(i => i.Id == id).Version);

        var outcome = await app.RunAsync(s => call(s, id));

        Assert.Equal(OutcomeStatus.Forbidden, outcome.Status);
        Assert.EndsWith("permission.", outcome.Message);
        var events = app.Read(db => db.AuditEvents.Where(e => e.Id > before).Select(e => new { e.Action, e.Data }).ToList());
        var refusal = Assert.Single(events);
        Assert.Equal(AuditActions.AuthorizationRefused, refusal.Action);
        var data = JsonDocument.Parse(refusal.Data!).RootElement;
        Assert.Equal(attempted, data.GetProperty("attempted").GetString());
        Assert.Contains(attempted, AuditActions.All);
        Assert.Equal(version, app.Read(db => db.Items.Single(i => i.Id == id).Version));
    }
}
