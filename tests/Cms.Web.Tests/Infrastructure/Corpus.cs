using Cms.Core.Items;

namespace Cms.Web.Tests.Infrastructure;

// A temporary folder of generated item files, deleted with the test.
public sealed class Corpus : IDisposable
{
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
