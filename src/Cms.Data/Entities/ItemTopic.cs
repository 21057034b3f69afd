namespace Cms.Data.Entities;

public sealed class ItemTopic
{
    public long ItemId { get; set; }
    public int TopicId { get; set; }
    public int Position { get; set; }
    public Topic? Topic { get; set; }
}
