namespace Cms.Application.Delivery;

// The event types consuming sites receive (webhook `type`, feed and API status).
public static class DeliveryEvents
{
    public const string Published = "item.published";
    public const string Corrected = "item.corrected";
    public const string Withdrawn = "item.withdrawn";

    public static readonly IReadOnlyList<string> All = [Published, Corrected, Withdrawn];
}
