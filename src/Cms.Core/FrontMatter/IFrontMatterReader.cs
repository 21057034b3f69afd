namespace Cms.Core.FrontMatter;

// The one seam over the YAML library for reading; see YamlFrontMatterReader.
public interface IFrontMatterReader
{
    // Throws FrontMatterException (never anything else for bad input).
    FrontMatterDocument Read(string path, ReadOnlySpan<byte> bytes);

    FrontMatterDocument ReadText(string path, string text);
}

public interface IFrontMatterWriter
{
    // The whole file: "---\n" + YAML + "---\n".
    string Write(SourceMapping root);
}

public sealed record FrontMatterDocument(string Path, string Yaml, SourceMapping Root, int FirstLine);
