using Cms.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Web.Tests.Importing;

// Imports the shipped samples and counts over the whole database, so it has a database of its own.
public sealed class SampleTests : WebTest
{
    [Fact]
    public async Task The_shipped_samples_import_cleanly_and_include_the_real_item()
    {
        using var scope = Factory.Services.CreateScope();

        var report = await Corpus.ImportPathsAsync(scope.ServiceProvider, Path.Combine(Repo.Root, "samples"));

        Assert.Equal("imported 12, updated 0, unchanged 0, rejected 0", report.Summary);
        Assert.Equal(1, Factory.WithDb(db => db.Items.Count(i => i.Title == "Putin: West dominating AI industry, Russia must step up" && i.FileName == "000_6f095c37200f6da0.txt")));
        Assert.Equal(1, Factory.WithDb(db => db.RelatedLinks.Count(l => l.Reason == ItemRows.UnsafeUrlReason)));
    }
}
