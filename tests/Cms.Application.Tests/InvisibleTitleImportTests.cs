using System.Text;
using Cms.Application.Importing;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Application.Tests;

// REVIEW5 #8 through the importer: a title that shows nothing is refused with file, line, field
// and reason while the rest of the folder imports; an invisible character inside a provider's
// name is stripped from what is stored and shown.
public sealed class InvisibleTitleImportTests(ApplicationFixture app) : IClassFixture<ApplicationFixture>
{
    [Fact]
    public async Task A_title_that_shows_nothing_is_refused_naming_file_line_field_and_reason_and_the_rest_imports()
    {
        var tag = Unique.Tag();
        string File(string title, string provider, int n) =>
            $"---\ntitle: \"{title}\"\noriginalUrl: \"https://news.example/{tag}/{n}\"\nprovider:\n  name: \"{provider}\"\n---\n";
        var files = new[]
        {
            ImportSources.FromBytes($"blank-{tag}.txt", Encoding.UTF8.GetBytes(File("\\u3164\\u2800", "Acme", 1))),
            ImportSources.FromBytes($"shown-{tag}.txt", Encoding.UTF8.GetBytes(File("Rates rise", "Acme\\u2064Corp", 2))),
        };

        var outcome = await app.RunAsync(s => s.GetRequiredService<ItemImporter>().ImportAsync(Actors.Pipeline, files, null, CancellationToken.None));

        Assert.True(outcome.Succeeded, outcome.Result.Message);
        var problem = Assert.Single(outcome.Value!.Problems);
        Assert.Equal($"blank-{tag}.txt", problem.Path);
        Assert.Contains("line 2", problem.Reason);
        Assert.Contains("field 'title'", problem.Reason);
        Assert.Contains("shows no visible character", problem.Reason);
        Assert.Equal([("Rates rise", "AcmeCorp")], app.Read(db => db.Items.Where(i => i.OriginalUrl.Contains(tag)).Select(i => new { i.Title, i.ProviderName }).ToList())
            .Select(i => (i.Title, i.ProviderName)));
    }
}
