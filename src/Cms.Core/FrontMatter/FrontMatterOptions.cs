namespace Cms.Core.FrontMatter;

public sealed class FrontMatterOptions
{
    public const int DefaultMaxBytes = 1024 * 1024;

    public int MaxBytes { get; init; } = DefaultMaxBytes;

    public int MaxDepth { get; init; } = 64;
}
