using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Cms.Web.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace Cms.Web.Tests.Deployment;

// README "Several instances": HAProxy (Debian's package) in front of two real `./cms run` processes
// on one throwaway database, all on loopback. One set-up for the class (it costs two app starts);
// one scenario: the client address seen through the proxy, the per-instance sign-in limit measured
// through it, then edits, comments and publishes while one instance is killed with SIGKILL.
public sealed class TwoInstancesBehindHaproxyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string AdminEmail = "ha-admin@example.com";
    private const string AdminPassword = "a long admin password";
    // HAProxy connects to the instances from this address (its `source`), the only known proxy; the
    // test's clients connect from others, so the app can tell the proxy from a client.
    private const string ProxyAddress = "127.0.0.2";
    private const string ClientAddress = "127.0.0.3";
    private const string LimitClientAddress = "127.0.0.4";
    private const int LoginPerInstance = 3;
    private const int DeliveryPerInstance = 4;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "cms-ha-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly StringBuilder _log = new();
    private string _database = "";
    private int _proxyPort;
    private Instance? _a;
    private Instance? _b;
    private Process? _haproxy;

    private sealed record Instance(string Name, int Port, Process Process);

    // xUnit does not dispose a class whose set-up failed: stop what was started before failing.
    public async Task InitializeAsync()
    {
        try
        {
            await SetUpAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    private async Task SetUpAsync()
    {
        var haproxy = new[] { "/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy" }.FirstOrDefault(File.Exists)
            ?? throw new Xunit.Sdk.XunitException("HAProxy is not installed: this test needs the Debian package `haproxy` "
                + "(apt-get install -y haproxy; .ci/run installs it on a fresh machine).");
        Directory.CreateDirectory(_folder);
        // The owner's connection: the first instance migrates, as `./cms run` does on a new database.
        _database = await TestPostgres.CreateDatabaseAsync(migrated: false);
        var (portA, portB) = (LocalPorts.Free(), LocalPorts.Free());
        _proxyPort = LocalPorts.Free();
        // One after the other: the first one migrates and creates the admin, as a rolling start would.
        _a = await StartAsync("a", portA);
        _b = await StartAsync("b", portB);

        var config = Path.Combine(_folder, "haproxy.cfg");
        await File.WriteAllTextAsync(config, HaproxyConfig(_proxyPort, portA, portB));
        _haproxy = Process.Start(new ProcessStartInfo(haproxy, ["-f", config, "-db"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        Capture(_haproxy, "haproxy");
        // Ready when the proxy has sent requests to both (its health checks mark them up).
        using var probe = Client(null);
        var seen = new HashSet<string>();
        await Eventually.HappensAsync(async () =>
        {
            Assert.False(_haproxy.HasExited, "haproxy exited:\n" + Log());
            try
            {
                var response = await probe.GetAsync("/healthz");
                if (response.IsSuccessStatusCode)
                {
                    seen.Add(ServedBy(response));
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            return seen.Count == 2;
        }, "HAProxy serving from both instances");
    }

    // The deployment's configuration (deploy/haproxy/haproxy.cfg, the README's example) on the test's
    // ports, with the proxy's source address pinned (a real deployment gets it from its network) and
    // the serving instance named in a header.
    private static string HaproxyConfig(int proxy, int a, int b)
    {
        var config = File.ReadAllText(Path.Combine(Repo.Root, "deploy", "haproxy", "haproxy.cfg"));
        string Replace(string text, string from, string to) =>
            text.Contains(from, StringComparison.Ordinal) ? text.Replace(from, to, StringComparison.Ordinal)
                : throw new Xunit.Sdk.XunitException($"deploy/haproxy/haproxy.cfg has no '{from}'");
        config = Replace(config, "bind :8080", $"bind 127.0.0.1:{proxy}");
        config = Replace(config, "balance roundrobin", "balance roundrobin\n    http-response set-header X-Served-By %s");
        config = Replace(config, "default-server check inter 2s fall 2 rise 2", $"default-server check inter 500ms fall 2 rise 1 source {ProxyAddress}");
        config = Replace(config, "server app app:8080", $"server a 127.0.0.1:{a}");
        return Replace(config, "server app2 app2:8080", $"server b 127.0.0.1:{b}");
    }

    private async Task<Instance> StartAsync(string name, int port)
    {
        var process = Process.Start(Repo.Cms(new Dictionary<string, string?>
        {
            ["ConnectionStrings__Cms"] = _database,
            ["CMS_URLS"] = $"http://127.0.0.1:{port}",
            ["CMS_ADMIN_EMAIL"] = AdminEmail,
            ["CMS_ADMIN_PASSWORD"] = AdminPassword,
            ["Security__RequireTwoFactorForAdmins"] = "false",
            ["Security__KnownProxies"] = ProxyAddress,
            ["Workflow__FourEyes"] = "false",
            // One folder for both (README: a shared folder, or the worker on one instance only).
            ["Publishing__Folder"] = Path.Combine(_folder, "published"),
            // A job the killed instance had claimed is rolled back with its session, and no
            // notification tells the survivor: its safety-net poll picks the job up.
            ["Publishing__PollSeconds"] = "1",
            ["RateLimit__LoginPerMinute"] = LoginPerInstance.ToString(CultureInfo.InvariantCulture),
            ["RateLimit__LoginWindow"] = "01:00:00",
            ["RateLimit__DeliveryPerMinute"] = DeliveryPerInstance.ToString(CultureInfo.InvariantCulture),
            ["RateLimit__DeliveryWindow"] = "01:00:00",
            // The webhook receiver is the test's, on loopback; a delivery the killed instance had
            // leased is taken over by the survivor's poll once the lease has run out (the receiver
            // answers at once: a lease of 2 s x (8/8 + 1) = 4 s is plenty).
            ["Outbound__AllowPrivateNetworks"] = "true",
            ["Webhooks__PollSeconds"] = "1",
            ["Webhooks__TimeoutSeconds"] = "2",
            ["Webhooks__BatchSize"] = "8",
        }, "run"))!;
        Capture(process, name);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await Eventually.HappensAsync(async () =>
        {
            Assert.False(process.HasExited, $"./cms run ({name}) exited early:\n" + Log());
            try
            {
                return (await client.GetAsync("/healthz")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, $"./cms run ({name}) serving", TimeSpan.FromMinutes(3));
        // ./cms execs the app: the process is the app itself, so a kill reaches it and nothing else.
        Assert.Contains("Cms.Web.dll", await File.ReadAllTextAsync($"/proc/{process.Id}/cmdline"));
        return new Instance(name, port, process);
    }

    public async Task DisposeAsync()
    {
        foreach (var process in new[] { _haproxy, _a?.Process, _b?.Process })
        {
            if (process is { HasExited: false })
            {
                process.Kill();
                await process.WaitForExitAsync();
            }
            process?.Dispose();
        }
        if (_database.Length > 0)
        {
            await TestPostgres.DropDatabaseAsync(_database);
        }
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task Killing_one_instance_mid_traffic_loses_no_acknowledged_write_or_job_and_the_session_goes_on_on_the_other()
    {
        // --- The client address: the real one from the proxy, never a header a client made up.
        using var editor = Client(ClientAddress, "ha-through-proxy");
        editor.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.7");
        Assert.Equal(HttpStatusCode.Redirect, (await Http.SignInAsync(editor, AdminEmail, AdminPassword)).StatusCode);
        using (var direct = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{_a!.Port}") })
        {
            direct.DefaultRequestHeaders.UserAgent.ParseAdd("ha-direct");
            direct.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.8");
            Assert.Equal(HttpStatusCode.Redirect, (await Http.SignInAsync(direct, AdminEmail, AdminPassword)).StatusCode);
        }
        // --- The scheme likewise: a client's X-Forwarded-Proto never makes plain HTTP count as HTTPS
        // (the sign-in cookie would be Secure, the app's links https).
        using (var forger = Client(ClientAddress, "ha-forged-proto"))
        {
            forger.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
            var signedIn = await Http.SignInAsync(forger, AdminEmail, AdminPassword);
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
            var cookies = signedIn.Headers.GetValues("Set-Cookie").Where(c => c.StartsWith("cms.auth", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(cookies);
            Assert.All(cookies, c => Assert.DoesNotContain("secure", c, StringComparison.OrdinalIgnoreCase));
        }
        var sessions = await QueryAsync("SELECT user_agent || ' ' || ip FROM user_sessions ORDER BY created_at");
        Assert.Contains("ha-through-proxy " + ClientAddress, sessions);
        Assert.Contains("ha-direct 127.0.0.1", sessions);
        Assert.DoesNotContain(await QueryAsync("SELECT DISTINCT coalesce(ip, '') FROM audit_events"), ip => ip.StartsWith("203.0.113.", StringComparison.Ordinal));

        // --- The sign-in limit is per instance: through a proxy that alternates, a client gets
        // one budget on each before 429. One form (its antiforgery token from one instance, posted
        // to both: the key ring is shared).
        using (var guesser = Client(LimitClientAddress))
        {
            var token = Http.AntiforgeryToken(await guesser.GetStringAsync("/Account/Login"));
            var accepted = 0;
            var servedBy = new HashSet<string>();
            for (var attempt = 0; attempt < 4 * LoginPerInstance; attempt++)
            {
                var response = await guesser.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["Input.Email"] = $"nobody-{attempt}@example.com",
                    ["Input.Password"] = "wrong password",
                    ["__RequestVerificationToken"] = token,
                }));
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    continue;
                }
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                accepted++;
                servedBy.Add(ServedBy(response));
            }
            output.WriteLine($"sign-in POSTs accepted through the proxy from one address: {accepted} (RateLimit:LoginPerMinute {LoginPerInstance} per instance, 2 instances)");
            Assert.Equal(2 * LoginPerInstance, accepted);
            Assert.Equal(["a", "b"], servedBy.Order());
        }

        // --- The delivery API's limit per token is per instance too. The token is shown once, in the
        // answer to the post itself (never carried in a cookie).
        var created = await Http.PostFormAsync(editor, "/Admin/Delivery/Sites", new Dictionary<string, string> { ["Input.Name"] = "ha-site" }, "/Admin/Delivery/Sites?handler=Create");
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var siteToken = Html.Parse(await created.Content.ReadAsStringAsync()).QuerySelector("#shown-once")?.TextContent;
        Assert.False(string.IsNullOrEmpty(siteToken), "the new token is shown");
        using (var site = Client(null))
        {
            site.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", siteToken);
            var answers = new List<HttpStatusCode>();
            for (var request = 0; request < 4 * DeliveryPerInstance; request++)
            {
                var response = await site.GetAsync("/api/v1/published");
                answers.Add(response.StatusCode);
                Assert.True(response.StatusCode == HttpStatusCode.OK || (response.StatusCode == HttpStatusCode.TooManyRequests && response.Headers.RetryAfter?.Delta > TimeSpan.Zero),
                    $"request {request}: {response.StatusCode}");
            }
            var served = answers.Count(a => a == HttpStatusCode.OK);
            output.WriteLine($"delivery API requests served through the proxy with one token: {served} of {answers.Count} (RateLimit:DeliveryPerMinute {DeliveryPerInstance} per instance, 2 instances)");
            Assert.Equal(2 * DeliveryPerInstance, served);
        }

        // --- A webhook endpoint: every publish below is also a delivery in the outbox.
        await using var receiver = await Delivery.WebhookReceiver.StartAsync();
        var hook = await Http.PostFormAsync(editor, "/Admin/Delivery/Webhooks", new Dictionary<string, string>
        {
            ["Input.Url"] = receiver.Url,
            ["Input.Events"] = Cms.Application.Delivery.DeliveryEvents.Published,
        }, "/Admin/Delivery/Webhooks?handler=Add");
        // The secret is shown once in the answer to the post itself (never carried in a cookie).
        Assert.Equal(HttpStatusCode.OK, hook.StatusCode);
        Assert.Contains("whsec_", await hook.Content.ReadAsStringAsync());

        // --- Traffic: comments and edits on the sample items, publishes before and after the kill.
        var items = (await QueryAsync("SELECT id::text FROM items ORDER BY id")).Select(long.Parse).ToList();
        Assert.True(items.Count >= 10, "the samples are loaded");
        // A form token handed out by b: after b is gone, a posts with it.
        var tokenFromB = "";
        for (var tries = 0; tokenFromB.Length == 0; tries++)
        {
            Assert.True(tries < 10, "b never served the item page");
            var page = await editor.GetAsync($"/Items/Details/{items[^1]}");
            if (ServedBy(page) == "b")
            {
                tokenFromB = Http.AntiforgeryToken(await page.Content.ReadAsStringAsync());
            }
        }
        // --- Live updates through the proxy: two comments in a row go to the two instances, and the
        // item's stream (on one of them) hears both (LISTEN/NOTIFY reaches every instance).
        var liveItem = items[^2];
        await using (var stream = await Live.SseStream.OpenAsync(editor, $"/live?item={liveItem}"))
        {
            var postedBy = new HashSet<string>();
            for (var i = 0; i < 2; i++)
            {
                var posted = await editor.PostAsync($"/Items/Details/{liveItem}?handler=Comment", new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["Talk.Body"] = $"live comment {i}",
                    ["__RequestVerificationToken"] = tokenFromB,
                }));
                Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
                postedBy.Add(ServedBy(posted));
            }
            Assert.Equal(2, postedBy.Count);
            var first = await stream.NextAsync("comment");
            var second = await stream.NextAsync("comment", e => e.Data != first.Data);
            Assert.All(new[] { first, second }, e => Assert.Contains($"\"item\":{liveItem}", e.Data));
        }

        var published = new List<long>();
        foreach (var id in items.Take(3))
        {
            Assert.True(await PublishAsync(editor, id, tokenFromB), $"item {id} published before the kill");
            published.Add(id);
        }

        var writes = new ConcurrentQueue<(string Kind, long Item, string Value, bool Acked, string By, bool AfterKill)>();
        var killed = false;
        var beforeKill = new TaskCompletionSource();
        var afterKill = new TaskCompletionSource();
        using var stop = new CancellationTokenSource();
        var edits = items.Skip(6).ToList();
        var traffic = Task.Run(async () =>
        {
            for (var k = 0; !stop.IsCancellationRequested; k++)
            {
                var afterKillStarted = Volatile.Read(ref killed);
                var id = items[k % items.Count];
                string kind, value;
                HttpResponseMessage? response = null;
                try
                {
                    if (k % 4 == 3 && k / 4 < edits.Count)
                    {
                        (kind, id, value) = ("edit", edits[k / 4], (10 + k / 4).ToString(CultureInfo.InvariantCulture));
                        response = await SaveQualityAsync(editor, id, value);
                    }
                    else
                    {
                        (kind, value) = ("comment", $"ha comment {k}");
                        response = await editor.PostAsync($"/Items/Details/{id}?handler=Comment", new FormUrlEncodedContent(new Dictionary<string, string>
                        {
                            ["Talk.Body"] = value,
                            ["__RequestVerificationToken"] = tokenFromB,
                        }));
                    }
                }
                catch (HttpRequestException)
                {
                    (kind, value) = ("lost", "");
                }
                var acked = response?.StatusCode == HttpStatusCode.Redirect;
                var by = response is null ? "" : ServedBy(response);
                writes.Enqueue((kind, id, value, acked, by, afterKillStarted));
                if (writes.Count(w => w.Acked && w.By == "b") >= 4)
                {
                    beforeKill.TrySetResult();
                }
                if (writes.Count(w => w.Acked && w.AfterKill) >= 8)
                {
                    afterKill.TrySetResult();
                }
            }
        });
        await Within(beforeKill.Task, "four writes acknowledged by b");
        _b!.Process.Kill();
        await _b.Process.WaitForExitAsync();
        Volatile.Write(ref killed, true);
        foreach (var id in items.Skip(3).Take(3))
        {
            Assert.True(await PublishAsync(editor, id, tokenFromB), $"item {id} published after the kill");
            published.Add(id);
        }
        await Within(afterKill.Task, "eight writes acknowledged after the kill");
        await stop.CancelAsync();
        await traffic;

        var all = writes.ToList();
        output.WriteLine($"writes: {all.Count(w => w.Acked)} acknowledged ({all.Count(w => w.Acked && w.By == "b")} by b before its kill), "
            + $"{all.Count(w => !w.Acked)} not acknowledged ({string.Join(", ", all.Where(w => !w.Acked).Select(w => w.Kind))})");
        Assert.All(all.Where(w => w.AfterKill), w => Assert.True(!w.Acked || w.By == "a", "after the kill only a answers"));

        // --- Every acknowledged write is in the database.
        var comments = (await QueryAsync("SELECT body FROM comments")).ToHashSet();
        Assert.All(all.Where(w => w.Acked && w.Kind == "comment"), w => Assert.Contains(w.Value, comments));
        var qualities = await QueryAsync("SELECT id || ':' || coalesce(quality::text, '') FROM items");
        Assert.All(all.Where(w => w.Acked && w.Kind == "edit"), w => Assert.Contains($"{w.Item}:{w.Value}", qualities));
        Assert.Contains(all, w => w.Acked && w.Kind == "edit");

        // --- Every job completes on the survivor (b's claims rolled back with its session).
        var ids = string.Join(',', published);
        await Eventually.HappensAsync(async () =>
            (await QueryAsync("SELECT count(*)::text FROM publish_jobs WHERE status = 'Pending'")).Single() == "0", "no publishing job pending");
        Assert.Equal(["Done"], await QueryAsync($"SELECT DISTINCT status FROM publish_jobs WHERE item_id IN ({ids})"));
        Assert.Equal(published.Count, (await QueryAsync($"SELECT id::text FROM items WHERE id IN ({ids}) AND state = 'Published'")).Count);
        var files = await QueryAsync($"SELECT DISTINCT file_name FROM publish_jobs WHERE item_id IN ({ids}) AND result = 'written'");
        Assert.NotEmpty(files);
        Assert.All(files, f => Assert.True(File.Exists(Path.Combine(_folder, "published", f)), $"{f} written"));
        var latest = await QueryAsync($"SELECT worker FROM publish_jobs WHERE item_id IN ({string.Join(',', published.Skip(3))})");
        Assert.All(latest, worker => Assert.Contains($":{_a.Process.Id}:", worker));

        // --- Every webhook delivery succeeds, each sent once or (b killed between sending and
        // recording) again with the same webhook-id.
        await Eventually.HappensAsync(async () =>
            (await QueryAsync("SELECT count(*)::text FROM webhook_deliveries WHERE status = 'Pending'")).Single() == "0", "no webhook delivery pending");
        Assert.Equal([$"Succeeded {published.Count}"], await QueryAsync("SELECT status || ' ' || count(*) FROM webhook_deliveries GROUP BY status"));
        Assert.Equal(published.Count, receiver.Requests.Select(r => r.Id).Distinct().Count());

        // --- The session and the form token from b still work on a.
        var home = await editor.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Equal("a", ServedBy(home));

        // --- The audit trail: the survivor seals what b left unsealed; verify passes.
        await Eventually.HappensAsync(async () =>
            (await QueryAsync("SELECT count(*)::text FROM audit_events WHERE seq IS NULL")).Single() == "0", "every audit event sealed");
        var verify = await Repo.RunCmsAsync(new Dictionary<string, string?> { ["ConnectionStrings__Cms"] = _database }, "audit", "verify");
        Assert.True(verify.ExitCode == 0, verify.Output + verify.Errors);
    }

    // Approves the item's links (a save), marks it ready and publishes it: true when all three were acknowledged.
    private static async Task<bool> PublishAsync(HttpClient client, long id, string token)
    {
        var approve = await client.PostAsync($"/Items/Details/{id}?handler=ApproveAll", new FormUrlEncodedContent(await EditFormAsync(client, id)));
        if (approve.StatusCode != HttpStatusCode.Redirect)
        {
            return false;
        }
        foreach (var action in new[] { "MarkReady", "Publish" })
        {
            var response = await client.PostAsync($"/Items/Details/{id}?handler=Transition", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Move.Action"] = action,
                ["__RequestVerificationToken"] = token,
            }));
            if (response.StatusCode != HttpStatusCode.Redirect)
            {
                return false;
            }
        }
        return true;
    }

    private static async Task<HttpResponseMessage> SaveQualityAsync(HttpClient client, long id, string quality)
    {
        var form = await EditFormAsync(client, id);
        form["Input.Quality"] = quality;
        return await client.PostAsync($"/Items/Details/{id}", new FormUrlEncodedContent(form));
    }

    // The edit form as a browser posts it: every field as the page holds it.
    private static async Task<Dictionary<string, string>> EditFormAsync(HttpClient client, long id)
    {
        var page = Html.Parse(await client.GetStringAsync($"/Items/Details/{id}"));
        var form = new Dictionary<string, string>();
        foreach (var field in page.QuerySelectorAll("#edit-form input[name], #edit-form select[name], #edit-form textarea[name]"))
        {
            var name = field.GetAttribute("name")!;
            if (field is AngleSharp.Html.Dom.IHtmlInputElement input)
            {
                if ((input.Type is "checkbox" or "radio" && !input.IsChecked) || input.Type is "submit")
                {
                    continue;
                }
                form[name] = input.Value;
            }
            else if (field is AngleSharp.Html.Dom.IHtmlSelectElement select)
            {
                form[name] = select.Value ?? "";
            }
            else
            {
                form[name] = field.TextContent;
            }
        }
        return form;
    }

    // A client of the proxy, connecting from the given loopback address (null: any).
    private HttpClient Client(string? from, string? userAgent = null)
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() };
        if (from is not null)
        {
            handler.ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Parse(from), 0));
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(context.DnsEndPoint.Host), context.DnsEndPoint.Port), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }
        var client = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{_proxyPort}"), Timeout = TimeSpan.FromMinutes(2) };
        if (userAgent is not null)
        {
            client.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent);
        }
        return client;
    }

    private static string ServedBy(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Served-By", out var values) ? values.Single() : "";

    private async Task<List<string>> QueryAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(_database);
        await conn.OpenAsync();
        await using var command = new NpgsqlCommand(sql, conn);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.IsDBNull(0) ? "" : reader.GetString(0));
        }
        return rows;
    }

    private async Task Within(Task task, string what)
    {
        if (await Task.WhenAny(task, Task.Delay(Eventually.SafetyNet)) != task)
        {
            throw new Xunit.Sdk.XunitException($"safety net: {what} did not happen within {Eventually.SafetyNet.TotalSeconds:0} s\n" + Log());
        }
    }

    private void Capture(Process process, string name)
    {
        process.OutputDataReceived += (_, e) => { lock (_log) { _log.Append(name).Append(": ").AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (_log) { _log.Append(name).Append(": ").AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    private string Log()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }
}
