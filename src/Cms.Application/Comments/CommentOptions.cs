using Microsoft.Extensions.Configuration;

namespace Cms.Application.Comments;

public sealed class CommentOptions
{
    // How long the author may edit or delete a comment after writing it.
    public TimeSpan EditWindow { get; init; } = TimeSpan.FromMinutes(15);

    public static CommentOptions From(IConfiguration configuration) => new()
    {
        EditWindow = TimeSpan.FromMinutes(Math.Max(0, configuration.GetValue("Comments:EditWindowMinutes", 15.0))),
    };
}
