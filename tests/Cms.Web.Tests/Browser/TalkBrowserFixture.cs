using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Browser;

// BrowserFixture's app and Chromium, plus a second instance of the app on its own Kestrel port
// sharing the database and publish folder: two instances of one deployment for the live tests.
public sealed class TalkBrowserFixture : BrowserFixture
{
    private CmsFactory? _second;

    public CmsFactory Second => _second ?? throw new InvalidOperationException("not initialized");

    public string SecondBaseUrl { get; private set; } = "";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _second = new CmsFactory(ConnectionString, Settings, Factory.PublishFolder);
        _second.UseKestrel(0);
        _second.StartServer();
        SecondBaseUrl = _second.ClientOptions.BaseAddress.ToString().TrimEnd('/');
        // Both hubs listening before a test expects a live update on a page.
        await LiveListening.WaitAsync(ConnectionString, 2);
    }

    public override async Task DisposeAsync()
    {
        if (_second is not null)
        {
            await _second.DisposeAsync();
        }
        await base.DisposeAsync();
    }
}
