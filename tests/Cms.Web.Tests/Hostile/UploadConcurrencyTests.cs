using System.Net;
using Cms.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Cms.Web.Tests.Hostile;

// Uploads beyond Import:ConcurrentUploads + Import:QueuedUploads get 429, per app instance.
public sealed class UploadConcurrencyTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    [Fact]
    public async Task An_upload_beyond_the_concurrency_limit_and_its_queue_gets_429_and_the_page_still_answers()
    {
        await using var limited = Factory.WithWebHostBuilder(b => b.UseSetting("Import:ConcurrentUploads", "1").UseSetting("Import:QueuedUploads", "0"));
        var email = $"editor-{Guid.NewGuid():N}@example.com";
        await Factory.CreateUserAsync(email, Password, Roles.Editor);
        async Task<HttpClient> ClientAsync()
        {
            var client = limited.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
            await Http.SignInAsync(client, email, Password);
            return client;
        }
        var first = await ClientAsync();
        var second = await ClientAsync();
        // A zip of 1,100 one-megabyte entries keeps the one permit busy for a while.
        var slow = Uploads.Zip([.. Enumerable.Range(0, 1_100).Select(i => ($"{i:D4}.txt", new byte[1024 * 1024]))]);

        var busy = Uploads.UploadAsync(first, ("slow.zip", Uploads.File(slow)));
        // A head start so the slow upload holds the one permit, then small uploads from the second
        // editor until one meets it: one fixed wait was either too short on a loaded machine or
        // longer than the whole slow upload on a quiet one.
        await Task.Delay(TimeSpan.FromSeconds(1));
        HttpResponseMessage? refused = null;
        while (!busy.IsCompleted)
        {
            var attempt = await Uploads.UploadAsync(second, ("one.txt", Uploads.File(new TestItem().ToYaml())));
            if (attempt.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = attempt;
                break;
            }
            await Task.Delay(50);
        }
        var page = await second.GetAsync("/Import");
        var done = await busy;

        Assert.NotNull(refused);
        Assert.Equal("10", refused.Headers.RetryAfter?.ToString());
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("rejected 1100", await Uploads.ReportAsync(done));
    }
}
