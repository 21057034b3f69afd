using System.Text.Json;
using Cms.Core.FrontMatter;
using Cms.Core.Items;
using Microsoft.Extensions.Logging;

namespace Cms.Application.Importing;

// A file that parsed, with what storing it needs besides the parsed fields.
public sealed record PreparedItem(ParsedItem Parsed, string Hash, string ImagesJson)
{
    public string Url => Parsed.NormalizedUrl;

    // Story grouping's analysis of title and excerpt, made in the parse stage (StoryGrouping.Prepare).
    public Cms.Core.Stories.StoryTerms? StoryTerms { get; set; }

    // Its search vector, computed beside the write (SearchVectors); null: the COPY computes it.
    public SealedVector? SearchVector { get; set; }
}

public readonly record struct ParsedFile(PreparedItem? Item, ImportProblem? Problem);

// Reads the next batch of files and parses it: the bytes one file after another (uploads and
// zip entries share one stream), the parsing in parallel on every core. A batch stops at a number
// of bytes as well as a number of files, so what it holds does not grow with the size of the files.
public sealed class ImportParser(ItemParser parser, FrontMatterOptions options, ImportOptions importOptions, ILogger<ImportParser> logger)
{
    // The batch's bytes, reused by each batch of this parser's import (a concurrent caller, which
    // an import never is, gets a buffer of its own).
    private BatchBuffer? _buffer;

    // What one batch can hold: it closes once its bytes reach BatchBytes, so at most that plus one
    // file at the limit (and the byte that tells an over-limit file).
    public int BatchBufferBound => (int)Math.Min(Array.MaxLength, importOptions.BatchBytes + options.MaxBytes + 1L);

    internal BatchBuffer? Buffer => _buffer;

    public async Task<ParsedFile[]> NextBatchAsync(IEnumerator<ImportFile> files, CancellationToken ct)
    {
        var buffer = Interlocked.Exchange(ref _buffer, null) ?? new BatchBuffer(BatchBufferBound);
        buffer.Clear();
        var chunk = new List<ImportFile>();
        var bytes = new List<(int Start, int Length)?>();
        var results = new List<ParsedFile>();
        long total = 0;
        while (chunk.Count < importOptions.BatchFiles && total < importOptions.BatchBytes && files.MoveNext())
        {
            var file = files.Current;
            chunk.Add(file);
            bytes.Add(null);
            results.Add(default);
            var i = chunk.Count - 1;
            if (file.Length > options.MaxBytes)
            {
                results[i] = new(null, new(file.Path, $"file is {file.Length} bytes, over the limit of {options.MaxBytes} bytes"));
                continue;
            }
            try
            {
                var data = await file.ReadBoundedAsync(buffer, options.MaxBytes, ct);
                total += data.Length;
                if (data.Length > options.MaxBytes)
                {
                    // The declared size was smaller (a zip entry's header can say anything).
                    buffer.TruncateTo(data.Start);
                    results[i] = new(null, new(file.Path, $"file is over the limit of {options.MaxBytes} bytes"));
                    continue;
                }
                bytes[i] = data;
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException)
            {
                results[i] = new(null, new(file.Path, $"cannot read: {ex.Message}"));
            }
        }
        var parsed = results.ToArray();
        await Task.Run(() => Parallel.For(0, chunk.Count, new ParallelOptions { CancellationToken = ct }, i =>
        {
            if (bytes[i] is { } data)
            {
                parsed[i] = Parse(chunk[i].Path, buffer[data]);
            }
        }), ct);
        // Parsed items hold copies of what they keep (SourceText), never the buffer.
        _buffer = buffer;
        return parsed;
    }

    private static readonly SourceMapping EmptyRoot = new([]);

    public ParsedFile Parse(string path, ReadOnlySpan<byte> bytes)
    {
        try
        {
            var parsed = parser.Parse(path, bytes);
            // The node tree is only needed to validate; dropping it here keeps a batch's memory
            // close to its text (a 1 MiB list of tiny values is tens of MiB of nodes).
            var light = parsed with { Document = parsed.Document with { Root = EmptyRoot } };
            return new(new PreparedItem(light, ItemRows.Hash(parsed.Document.Source), ItemRows.ImagesJson(parsed)), null);
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
