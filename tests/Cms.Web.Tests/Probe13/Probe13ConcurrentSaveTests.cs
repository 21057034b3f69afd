using System.Net;
using Cms.Web.Tests.Infrastructure;
using Npgsql;

namespace Cms.Web.Tests.Probe13;

// PROBE13 evidence: two requests that both find "no row yet" and both insert one (two editors
// assigning the same unassigned item; one person saving a view of one name from two tabs) end in a
// unique violation that nothing catches: the second request is a 500. The test lines the two
// requests up deterministically: it holds a lock on the table that lets their reads through and
// stops their inserts, waits until both inserts wait, then lets them go.
public sealed class Probe13ConcurrentSaveTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    private async Task<HttpClient> SignedInAsAsync(string email)
    {
        var client = Factory.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await Http.SignInAsync(client, email, Password)).StatusCode);
        return client;
    }

    private static async Task<Func<Task<HttpResponseMessage>>> PreparedPostAsync(HttpClient client, string pageUrl, string postUrl, Dictionary<string, string> fields)
    {
        var token = Http.AntiforgeryToken(await client.GetStringAsync(pageUrl));
        var form = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = token };
        return () => client.PostAsync(postUrl, new FormUrlEncodedContent(form));
    }

    // Both posts run while the table is locked against inserts; released once both wait on it.
    private async Task<HttpStatusCode[]> BothAtOnceAsync(string table, params Func<Task<HttpResponseMessage>>[] posts)
    {
        await using var holder = new NpgsqlConnection(App.OwnerConnectionString);
        await holder.OpenAsync();
        await using var tx = await holder.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand($"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE", holder, tx))
        {
            await lockTable.ExecuteNonQueryAsync();
        }
        var running = posts.Select(p => Task.Run(p)).ToArray();
        await Eventually.HappensAsync(async () =>
        {
            await using var watcher = new NpgsqlConnection(App.OwnerConnectionString);
            await watcher.OpenAsync();
            await using var count = new NpgsqlCommand(
                $"SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = '{table}'::regclass", watcher);
            return (long)(await count.ExecuteScalarAsync())! >= posts.Length;
        }, $"both requests waiting to insert into {table}");
        await tx.RollbackAsync();
        return [.. (await Task.WhenAll(running)).Select(r => r.StatusCode)];
    }

    [Fact]
    public async Task Two_editors_assigning_the_same_unassigned_item_at_once_get_no_500()
    {
        var story = new TestItem();
        await ImportAsync(story);
        var item = ItemId(story);
        var first = $"probe13-assign-a-{Guid.NewGuid():N}@example.com";
        var second = $"probe13-assign-b-{Guid.NewGuid():N}@example.com";
        var a = await Factory.CreateUserAsync(first, Password, Roles.Editor);
        var b = await Factory.CreateUserAsync(second, Password, Roles.Editor);
        var page = $"/Items/Details/{item}";
        var byA = await PreparedPostAsync(await SignedInAsAsync(first), page, page + "?handler=Assign", new() { ["Talk.AssignTo"] = a.Id });
        var byB = await PreparedPostAsync(await SignedInAsAsync(second), page, page + "?handler=Assign", new() { ["Talk.AssignTo"] = b.Id });

        var statuses = await BothAtOnceAsync("item_assignments", byA, byB);

        // Observed: one 302, one 500 (23505 on pk_item_assignments). Expected: the second is
        // answered as a conflict (or wins after the first), never a server error.
        Assert.DoesNotContain(HttpStatusCode.InternalServerError, statuses);
    }

    [Fact]
    public async Task One_person_saving_a_view_of_one_name_from_two_tabs_at_once_gets_no_500()
    {
        var email = $"probe13-views-{Guid.NewGuid():N}@example.com";
        await Factory.CreateUserAsync(email, Password, Roles.Editor);
        var tab1 = await PreparedPostAsync(await SignedInAsAsync(email), "/", "/?View.Q=one&handler=SaveView", new() { ["SaveView.Name"] = "Mine" });
        var tab2 = await PreparedPostAsync(await SignedInAsAsync(email), "/", "/?View.Q=two&handler=SaveView", new() { ["SaveView.Name"] = "Mine" });

        var statuses = await BothAtOnceAsync("saved_views", tab1, tab2);

        // Observed: one 302, one 500 (23505 on ix_saved_views_owner_id_name).
        Assert.DoesNotContain(HttpStatusCode.InternalServerError, statuses);
    }

    [Fact]
    public async Task One_person_choosing_two_default_views_from_two_tabs_at_once_gets_no_500()
    {
        var email = $"probe13-default-{Guid.NewGuid():N}@example.com";
        await Factory.CreateUserAsync(email, Password, Roles.Editor);
        var tab1 = await SignedInAsAsync(email);
        var tab2 = await SignedInAsAsync(email);
        foreach (var name in new[] { "First", "Second" })
        {
            var saved = await Http.PostFormAsync(tab1, "/", new Dictionary<string, string> { ["SaveView.Name"] = name }, $"/?View.Q={name}&handler=SaveView");
            Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        }
        var ids = Factory.WithDb(db => db.SavedViews.Where(v => v.Name == "First" || v.Name == "Second").Where(v => db.Users.Any(u => u.Id == v.OwnerId && u.Email == email))
            .OrderBy(v => v.Id).Select(v => v.Id).ToList());
        var first = await PreparedPostAsync(tab1, "/Views", "/Views?handler=Default", new() { ["id"] = ids[0].ToString() });
        var second = await PreparedPostAsync(tab2, "/Views", "/Views?handler=Default", new() { ["id"] = ids[1].ToString() });

        var statuses = await BothAtOnceAsync("saved_view_choices", first, second);

        // Observed: one 302, one 500 (23505 on ix_saved_view_choices_default).
        Assert.DoesNotContain(HttpStatusCode.InternalServerError, statuses);
    }
}
