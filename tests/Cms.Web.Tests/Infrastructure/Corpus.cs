using Microsoft.Extensions.DependencyInjection;

namespace Cms.Web.Tests.Infrastructure;

// A temporary folder of generated item files, deleted with the test.
public sealed class Corpus : IDisposable
{
    public static readonly Actor Importer = Actor.System("importer") with { Name = "import" };

    public string Dir { get; } = Directory.CreateTempSubdirectory("cms-corpus-").FullName;

    public static Corpus Generate(int count, int seed = 1)
    {
        var corpus = new Corpus();
        var generator = new ItemFileGenerator(seed);
        for (var i = 0; i < count; i++)
        {
            var text = generator.Next(i);
            corpus.Write(ItemFileGenerator.FileName(i, text), text);
        }
        return corpus;
    }

    // Writes the texts as 001_item.txt, 002_item.txt, ... and imports them through the real importer.
    public static async Task<ImportReport> ImportAsync(IServiceProvider services, params string[] texts)
    {
        using var corpus = new Corpus();
        for (var i = 0; i < texts.Length; i++)
        {
            corpus.Write($"{i + 1:D3}_item.txt", texts[i]);
        }
        using var scope = services.CreateScope();
        return await ImportPathsAsync(scope.ServiceProvider, corpus.Dir);
    }

    // Imports files and folders as the pipeline would; the actor is named "import" in the audit.
    public static async Task<ImportReport> ImportPathsAsync(IServiceProvider services, params string[] paths)
    {
        var outcome = await services.GetRequiredService<ItemImporter>().ImportAsync(Importer, paths, null, CancellationToken.None);
        return outcome.Value ?? throw new InvalidOperationException(outcome.Result.Message);
    }

    public string Write(string name, string text)
    {
        var path = Path.Combine(Dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose()
    {
        if (Directory.Exists(Dir))
        {
            Directory.Delete(Dir, recursive: true);
        }
    }
}
