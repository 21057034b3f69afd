using System.Text.Json;
using Cms.Core.FrontMatter;
using Cms.Core.Items;
using Microsoft.Extensions.Logging;

namespace Cms.Application.Importing;

// A file that parsed, with what storing it needs besides the parsed fields.
public sealed record PreparedItem(ParsedItem Parsed, string Hash, string ImagesJson)
{
    public string Url => Parsed.NormalizedUrl;
}

public readonly record struct ParsedFile(PreparedItem? Item, ImportProblem? Problem);

// Reads one chunk of files and parses it: the bytes one file after another (uploads and zip
// entries share one stream), the parsing in parallel on every core.
public sealed class ImportParser(ItemParser parser, FrontMatterOptions options, ILogger<ImportParser> logger)
{
    public async Task<ParsedFile[]> ParseChunkAsync(ImportFile[] chunk, CancellationToken ct)
    {
        var bytes = new byte[]?[chunk.Length];
        var results = new ParsedFile[chunk.Length];
        for (var i = 0; i < chunk.Length; i++)
        {
            var file = chunk[i];
            if (file.Length > options.MaxBytes)
            {
                results[i] = new(null, new(file.Path, $"file is {file.Length} bytes, over the limit of {options.MaxBytes} bytes"));
                continue;
            }
            try
            {
                bytes[i] = await file.ReadAsync(ct);
            }
            catch (IOException ex)
            {
                results[i] = new(null, new(file.Path, $"cannot read: {ex.Message}"));
            }
        }
        await Task.Run(() => Parallel.For(0, chunk.Length, new ParallelOptions { CancellationToken = ct }, i =>
        {
            if (bytes[i] is { } data)
            {
                results[i] = Parse(chunk[i].Path, data);
            }
        }), ct);
        return results;
    }

    public ParsedFile Parse(string path, byte[] bytes)
    {
        try
        {
            var parsed = parser.Parse(path, bytes);
            return new(new PreparedItem(parsed, ItemRows.Hash(parsed.Document.Yaml), JsonSerializer.Serialize(parsed.Images)), null);
        }
        catch (FrontMatterException ex)
        {
            return new(null, new(path, ReasonWithoutPath(ex.Problem)));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A reader bug must cost one file, never the batch; the log keeps the stack.
            logger.LogError(ex, "Unexpected failure reading {Path}", path);
            return new(null, new(path, $"unreadable: {ex.GetType().Name}"));
        }
    }

    // "PATH: reason" is printed by the caller; the reason still names line, column and field.
    private static string ReasonWithoutPath(ReadProblem p)
    {
        var parts = new List<string>();
        if (p.Line is { } line)
        {
            parts.Add(p.Column is { } column ? $"line {line}, column {column}" : $"line {line}");
        }
        if (p.Field.Length > 0)
        {
            parts.Add($"field '{p.Field}'");
        }
        parts.Add(p.Reason);
        return string.Join(": ", parts);
    }
}
