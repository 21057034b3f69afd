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

// Source: the front matter as read (the file's UTF-8 bytes when the reader found it there).
public sealed record FrontMatterDocument(string Path, SourceText Source, SourceMapping Root, int FirstLine)
{
    // The front matter as text (decoded on each call when kept as bytes).
    public string Yaml => Source.Text;
}
