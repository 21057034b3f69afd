using Microsoft.Extensions.Configuration;

namespace Cms.Application.Comments;

public sealed class CommentOptions
{
    // How long the author may edit or delete a comment after writing it.
    public TimeSpan EditWindow { get; init; } = TimeSpan.FromMinutes(15);

    // How many comments (threads and replies) one item holds; beyond, a new comment is refused, so
    // the item page's work and the open blocking threads it must always show stay bounded.
    public int MaxPerItem { get; init; } = 2000;

    public static CommentOptions From(IConfiguration configuration) => new()
    {
        EditWindow = TimeSpan.FromMinutes(Math.Max(0, configuration.GetValue("Comments:EditWindowMinutes", 15.0))),
        MaxPerItem = Math.Max(1, configuration.GetValue("Comments:MaxPerItem", 2000)),
    };
}
