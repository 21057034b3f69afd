using Cms.Application.Publishing;
using Microsoft.Extensions.Configuration;

namespace Cms.Application.Tests;

public sealed class PublishingOptionsTests
{
    private static string RepoRoot => Path.GetDirectoryName(Path.GetDirectoryName(PublishingTests.SamplePath))!;

    private static PublishingOptions From(string contentRoot, params (string Key, string Value)[] settings) =>
        PublishingOptions.From(new ConfigurationBuilder().AddInMemoryCollection(settings.ToDictionary(s => s.Key, s => (string?)s.Value)).Build(), contentRoot);

    [Fact]
    public void The_default_folder_is_under_the_checkout_even_when_the_app_runs_from_its_project_folder()
    {
        var options = From(Path.Combine(RepoRoot, "src", "Cms.Web"));

        Assert.Equal(Path.Combine(RepoRoot, ".data", "published"), options.Folder);
        Assert.True(options.FourEyes);
        Assert.True(options.Worker);
    }

    [Fact]
    public void Outside_a_checkout_a_relative_folder_is_taken_from_the_content_root_and_an_absolute_one_as_given()
    {
        var outside = Directory.CreateTempSubdirectory("cms-content-").FullName;
        try
        {
            Assert.Equal(Path.Combine(outside, "out"), From(outside, ("Publishing:Folder", "out")).Folder);
            Assert.Equal("/srv/published", From(outside, ("Publishing:Folder", "/srv/published")).Folder);
            Assert.False(From(outside, ("Workflow:FourEyes", "false")).FourEyes);
        }
        finally
        {
            Directory.Delete(outside);
        }
    }
}
