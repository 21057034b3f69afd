using System.Globalization;

namespace Cms.Application.Live;

// What travels on the PostgreSQL channel cms_live: ids only, written by triggers (LiveSql in the
// migrations) in the transaction of the change, so a message is delivered at commit and only for a
// change that happened. Each instance's browsers then fetch what changed, through the same
// permission checks as any page.
//   n:<user>:<notification id>   a notification for that person (id 0: read state changed)
//   c:<item>:<comment id>        a comment added or changed on the item
//   i:<item>                     the item changed (an edit, a move, a source revision)
//   a:<item>                     the item's assignment changed
//   p:<item>                     someone opened or left the item
//   q:<newest item id>           items arrived (the queue's "N new items")
//   s:<user>                     one of the person's sessions ended (sign-out, lock, ...)
public readonly record struct LiveSignal(char Kind, string Key, long Id)
{
    public const string Channel = "cms_live";

    public long ItemId => long.TryParse(Key, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 0;

    public static LiveSignal? Parse(string payload)
    {
        if (payload.Length < 3 || payload[1] != ':')
        {
            return null;
        }
        var rest = payload[2..];
        var colon = rest.LastIndexOf(':');
        var key = colon < 0 ? rest : rest[..colon];
        long id = 0;
        if (colon >= 0 && !long.TryParse(rest[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out id))
        {
            return null;
        }
        return key.Length == 0 ? null : new LiveSignal(payload[0], key, id);
    }
}
