using System.Diagnostics;
using System.Net;
using System.Text;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Skeleton;

// Drives the real ./cms entry point as a newcomer would.
public sealed class CmsScriptTests
{
    private const string AdminEmail = "chief@example.com";
    private const string AdminPassword = "a long admin password";

    [Fact]
    public async Task Run_with_a_connection_string_uses_that_database_starts_no_cluster_and_serves()
    {
        var database = await TestPostgres.CreateDatabaseAsync(migrated: false);
        var dataDir = Directory.CreateTempSubdirectory("cms-nocluster-").FullName;
        try
        {
            var port = LocalPorts.Free();
            var output = await ServeAsync(new Dictionary<string, string?>
            {
                ["ConnectionStrings__Cms"] = database,
                ["CMS_DATA_DIR"] = dataDir,
                ["CMS_URLS"] = $"http://127.0.0.1:{port}",
                ["CMS_ADMIN_EMAIL"] = AdminEmail,
                ["CMS_ADMIN_PASSWORD"] = AdminPassword,
            }, port, async client =>
            {
                await AssertBackOfficeServesAsync(client);
                // The admin and the sample items live in the database we named.
                await using var db = TestPostgres.Context(database);
                Assert.Single(db.Users.Where(u => u.Email == AdminEmail));
                Assert.True(db.Items.Any());
            });

            Assert.Contains("using the database from ConnectionStrings__Cms", output);
            Assert.Empty(Directory.EnumerateFileSystemEntries(dataDir));
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
            await TestPostgres.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task Run_on_a_machine_without_a_database_creates_a_local_cluster_and_serves()
    {
        // Under /var/tmp so the postgres OS user can reach it when the tests run as root.
        var dataDir = Path.Combine("/var/tmp", "cms-fresh-" + Guid.NewGuid().ToString("N")[..8]);
        var env = new Dictionary<string, string?>
        {
            ["CMS_DATA_DIR"] = dataDir,
            ["CMS_PG_PORT"] = LocalPorts.Free().ToString(),
        };
        try
        {
            var port = LocalPorts.Free();
            (List<string> Sessions, string? AuditOwner, (bool, bool, bool) AppMay) roles = ([], null, default);
            var output = await ServeAsync(new Dictionary<string, string?>(env)
            {
                ["CMS_URLS"] = $"http://127.0.0.1:{port}",
                ["CMS_ADMIN_EMAIL"] = AdminEmail,
                ["CMS_ADMIN_PASSWORD"] = AdminPassword,
            }, port, async client =>
            {
                await AssertBackOfficeServesAsync(client);
                roles = await RolesAsync(int.Parse(env["CMS_PG_PORT"]!));
            });

            Assert.Contains("creating a local PostgreSQL cluster", output);
            Assert.True(File.Exists(Path.Combine(dataDir, "pg", "PG_VERSION")));
            Assert.Contains($"Admin login: {AdminEmail}", output);
            // The app served as cms_app, a role that owns nothing; cms owns the schema.
            Assert.Equal(["cms_app"], roles.Sessions);
            Assert.Equal("cms", roles.AuditOwner);
            Assert.Equal((false, false, true), roles.AppMay);
        }
        finally
        {
            var (_, _, stopOutput) = await Repo.RunCmsAsync(env, "db", "stop");
            Assert.Contains("stopped the local cluster", stopOutput);
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task Run_again_with_a_changed_admin_password_serves_and_only_the_new_password_signs_in()
    {
        var database = await TestPostgres.CreateDatabaseAsync(migrated: false);
        try
        {
            var env = new Dictionary<string, string?>
            {
                ["ConnectionStrings__Cms"] = database,
                ["CMS_ADMIN_EMAIL"] = AdminEmail,
                ["CMS_ADMIN_PASSWORD"] = AdminPassword,
            };
            var port = LocalPorts.Free();
            await ServeAsync(new Dictionary<string, string?>(env) { ["CMS_URLS"] = $"http://127.0.0.1:{port}" }, port, AssertBackOfficeServesAsync);

            const string rotated = "the rotated admin password";
            port = LocalPorts.Free();
            var output = await ServeAsync(new Dictionary<string, string?>(env) { ["CMS_URLS"] = $"http://127.0.0.1:{port}", ["CMS_ADMIN_PASSWORD"] = rotated }, port, async client =>
            {
                Assert.Equal(HttpStatusCode.OK, (await Http.SignInAsync(client, AdminEmail, AdminPassword)).StatusCode);
                Assert.Equal(HttpStatusCode.Redirect, (await Http.SignInAsync(client, AdminEmail, rotated)).StatusCode);
            });

            Assert.Contains("password reset to CMS_ADMIN_PASSWORD", output);
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(database);
        }
    }

    // Who is connected to the local cluster's cms database, who owns the audit trail, and whether
    // cms_app may delete or update events and update items.
    private static async Task<(List<string> Sessions, string? AuditOwner, (bool, bool, bool) AppMay)> RolesAsync(int port)
    {
        await using var conn = new Npgsql.NpgsqlConnection($"Host=127.0.0.1;Port={port};Database=cms;Username=postgres;Pooling=false");
        await conn.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("""
            SELECT (SELECT array_agg(DISTINCT usename::text) FROM pg_stat_activity WHERE datname = 'cms' AND backend_type = 'client backend' AND pid <> pg_backend_pid()),
                   (SELECT tableowner::text FROM pg_tables WHERE tablename = 'audit_events'),
                   has_table_privilege('cms_app', 'audit_events', 'DELETE'),
                   has_table_privilege('cms_app', 'audit_events', 'UPDATE'),
                   has_table_privilege('cms_app', 'items', 'UPDATE')
            """, conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetFieldValue<string[]>(0).ToList(), reader.GetString(1), (reader.GetBoolean(2), reader.GetBoolean(3), reader.GetBoolean(4)));
    }

    private static async Task AssertBackOfficeServesAsync(HttpClient client)
    {
        var anonymous = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.Contains("/Account/Login", anonymous.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);

        var signIn = await Http.SignInAsync(client, AdminEmail, AdminPassword);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        // ./cms run is Production: an admin sets up two-factor sign-in before anything else.
        var first = await client.GetAsync("/");
        Assert.Equal("/Account/Manage/EnableAuthenticator", first.Headers.Location?.OriginalString);
        var key = Accounts.Authenticator.KeyFrom(await client.GetStringAsync("/Account/Manage/EnableAuthenticator"));
        var enrol = await Http.PostFormAsync(client, "/Account/Manage/EnableAuthenticator", new Dictionary<string, string> { ["Input.Code"] = Accounts.Authenticator.Code(key) });
        Assert.Equal(HttpStatusCode.Redirect, enrol.StatusCode);
        var home = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Contains("Putin: West dominating AI industry", await home.Content.ReadAsStringAsync());
    }

    // Starts ./cms run, waits until it serves, runs the checks, then stops it; returns its output.
    private static async Task<string> ServeAsync(IDictionary<string, string?> env, int port, Func<HttpClient, Task> checks)
    {
        var output = new StringBuilder();
        // The output is read while the process still writes it: always under the lock.
        string Output()
        {
            lock (output)
            {
                return output.ToString();
            }
        }
        using var process = new Process { StartInfo = Repo.Cms(env, "run") };
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true })
            {
                BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            };
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (true)
            {
                if (process.HasExited)
                {
                    Assert.Fail("./cms run exited early:\n" + Output());
                }
                try
                {
                    if ((await client.GetAsync("/healthz")).IsSuccessStatusCode)
                    {
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                    // not listening yet
                }
                if (DateTime.UtcNow >= deadline)
                {
                    Assert.Fail("./cms run did not serve within 3 minutes:\n" + Output());
                }
                await Task.Delay(250);
            }
            await checks(client);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        return Output();
    }
}
