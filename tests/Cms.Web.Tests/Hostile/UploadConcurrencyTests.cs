using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.Channels;
using Cms.Web.Infrastructure;
using Cms.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Cms.Web.Tests.Hostile;

// Two uploads in progress per instance at most, so a test can fill the instance; the clock (of the
// minimum body rate) moves only when a test moves it.
public sealed class UploadLimitsFixture : AppFixture
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Import:UploadsInProgress"] = "2",
    };

    protected override void ConfigureTestServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);
}

// Uploads are admitted per account and in total, and must keep a minimum body rate. Each held
// upload is a request whose body the test sends part by part: it stays in progress until the test
// finishes it, however fast or slow the machine is.
public sealed class UploadConcurrencyTests(UploadLimitsFixture app) : WebTest(app), IClassFixture<UploadLimitsFixture>
{
    // Below HttpClient's own 100 s, so a stuck upload fails with this class's message.
    private static readonly TimeSpan SafetyNet = TimeSpan.FromSeconds(90);

    private UploadLimits Limits => Factory.Services.GetRequiredService<UploadLimits>();

    // A multipart upload of one valid item whose file part arrives only as the test sends it.
    private sealed class HeldUpload : IDisposable
    {
        private readonly Channel<byte[]> _parts = Channel.CreateUnbounded<byte[]>();
        private readonly byte[] _file;
        private int _sent;

        public HeldUpload(HttpClient client, string token, string title)
        {
            _file = Encoding.UTF8.GetBytes(new TestItem { Title = title }.ToYaml());
            var form = new MultipartFormDataContent { { new StringContent(token), "__RequestVerificationToken" } };
            form.Add(new ChannelContent(_parts.Reader), "Input.Files", "held.txt");
            Response = client.PostAsync("/Import", form);
        }

        public Task<HttpResponseMessage> Response { get; }

        public void Send(int bytes)
        {
            var count = Math.Min(bytes, _file.Length - _sent);
            _parts.Writer.TryWrite(_file[_sent..(_sent + count)]);
            _sent += count;
        }

        public async Task<HttpResponseMessage> FinishAsync()
        {
            Send(_file.Length);
            _parts.Writer.TryComplete();
            return await Response.WaitAsync(SafetyNet);
        }

        // Ends the body without sending the rest, so a test that failed half way leaves no upload
        // in progress behind it.
        public void Dispose() => _parts.Writer.TryComplete();

        private sealed class ChannelContent(ChannelReader<byte[]> parts) : HttpContent
        {
            protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
            {
                await foreach (var part in parts.ReadAllAsync())
                {
                    await stream.WriteAsync(part);
                    await stream.FlushAsync();
                }
            }

            protected override bool TryComputeLength(out long length)
            {
                length = 0;
                return false;
            }
        }
    }

    private async Task<HeldUpload> HoldAsync(HttpClient client, string title)
    {
        var before = Limits.InProgress;
        var token = Http.AntiforgeryToken(await client.GetStringAsync("/Import"));
        var upload = new HeldUpload(client, token, title);
        upload.Send(10);
        // The server has admitted it (its place is taken) once the count goes up; it cannot go
        // down again before the test finishes the body.
        await Eventually.HappensAsync(() => Limits.InProgress > before || upload.Response.IsCompleted, "the held upload being admitted", SafetyNet);
        Assert.False(upload.Response.IsCompleted, $"the held upload was answered early: {(upload.Response.IsCompletedSuccessfully ? upload.Response.Result.StatusCode : upload.Response.Status)}");
        return upload;
    }

    private static async Task<string> ImportedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Uploads.ReportAsync(response);
    }

    private static Task<HttpResponseMessage> SmallUploadAsync(HttpClient client, string title) =>
        Uploads.UploadAsync(client, ("small.txt", Uploads.File(new TestItem { Title = title }.ToYaml())));

    [Fact]
    public async Task A_slow_upload_does_not_hold_up_another_editors_upload()
    {
        var slowEditor = await SignedInAsync(Roles.Editor);
        var otherEditor = await SignedInAsync(Roles.Editor);
        using var slow = await HoldAsync(slowEditor, "Slow " + Unique.Tag());

        var other = await SmallUploadAsync(otherEditor, "Other " + Unique.Tag());

        Assert.Contains("imported 1, updated 0, unchanged 0, rejected 0", await ImportedAsync(other));
        Assert.False(slow.Response.IsCompleted);
        Assert.Contains("imported 1, updated 0, unchanged 0, rejected 0", await ImportedAsync(await slow.FinishAsync()));
    }

    [Fact]
    public async Task The_same_editors_second_upload_while_one_is_in_progress_gets_429_with_retry_after_and_the_page_still_answers()
    {
        var editor = await SignedInAsync(Roles.Editor);
        var title = "Second " + Unique.Tag();
        using var first = await HoldAsync(editor, "First " + Unique.Tag());

        var second = await SmallUploadAsync(editor, title);
        var page = await editor.GetAsync("/Import");

        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal(UploadLimits.RetryAfterSeconds.ToString(), second.Headers.RetryAfter?.ToString());
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(0, Factory.WithDb(db => db.Items.Count(i => i.Title == title)));
        Assert.Contains("imported 1, updated 0, unchanged 0, rejected 0", await ImportedAsync(await first.FinishAsync()));
        // The place is free again once the first upload is done.
        Assert.Contains("imported 1, updated 0, unchanged 0, rejected 0", await ImportedAsync(await SmallUploadAsync(editor, title)));
    }

    [Fact]
    public async Task Uploads_in_progress_are_bounded_in_total_and_a_freed_place_admits_the_next()
    {
        using var first = await HoldAsync(await SignedInAsync(Roles.Editor), "Filling one " + Unique.Tag());
        using var second = await HoldAsync(await SignedInAsync(Roles.Editor), "Filling two " + Unique.Tag());
        var third = await SignedInAsync(Roles.Editor);

        var refused = await SmallUploadAsync(third, "Third " + Unique.Tag());

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(UploadLimits.RetryAfterSeconds.ToString(), refused.Headers.RetryAfter?.ToString());
        Assert.Equal(HttpStatusCode.OK, (await first.FinishAsync()).StatusCode);
        Assert.Contains("imported 1, updated 0, unchanged 0, rejected 0", await ImportedAsync(await SmallUploadAsync(third, "Third again " + Unique.Tag())));
        Assert.Equal(HttpStatusCode.OK, (await second.FinishAsync()).StatusCode);
    }

    [Fact]
    public async Task A_body_slower_than_the_minimum_rate_is_cut_off_with_408_and_frees_its_place()
    {
        var editor = await SignedInAsync(Roles.Editor);
        var title = "Trickle " + Unique.Tag();
        var options = Factory.Services.GetRequiredService<UploadLimitOptions>();
        using var trickle = await HoldAsync(editor, title);
        var waited = TimeSpan.Zero;
        var deadline = DateTime.UtcNow + SafetyNet;

        // Ten bytes per second of the app's clock: far below the minimum, whatever the machine does.
        while (!trickle.Response.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < deadline, $"safety net: a 10 bytes/s body was not cut off within {SafetyNet.TotalSeconds} s ({waited} on the app's clock)");
            trickle.Send(10);
            app.Clock.Advance(TimeSpan.FromSeconds(1));
            waited += TimeSpan.FromSeconds(1);
            await Task.WhenAny(trickle.Response, Task.Delay(20));
        }
        var cut = await trickle.Response;

        Assert.Equal(HttpStatusCode.RequestTimeout, cut.StatusCode);
        Assert.True(waited > options.UploadGracePeriod, $"cut off after {waited}, within the grace period of {options.UploadGracePeriod}");
        Assert.Equal(0, Factory.WithDb(db => db.Items.Count(i => i.Title == title)));
        await Eventually.HappensAsync(() => Limits.InProgress == 0, "the cut-off upload giving its place back", SafetyNet);
        Assert.Contains("imported 1, updated 0, unchanged 0, rejected 0", await ImportedAsync(await SmallUploadAsync(editor, "After the cut " + Unique.Tag())));
    }
}
