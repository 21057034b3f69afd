using System.Linq.Expressions;
using Cms.Core.Items;
using Cms.Data.Entities;

namespace Cms.Data;

// The default queue ("not yet published"), defined once for both the partial indexes and the
// queries. The query side is built from constant comparisons, not a parameter list, so that
// PostgreSQL can prove it implies the index predicate and use those indexes.
public static class ItemQueue
{
    public static readonly string Sql =
        "state IN (" + string.Join(", ", Workflow.QueueStates.Select(s => $"'{s}'")) + ")";

    public static readonly Expression<Func<Item, bool>> Predicate = Build();

    private static Expression<Func<Item, bool>> Build()
    {
        var item = Expression.Parameter(typeof(Item), "i");
        // Enums compare as their underlying int in expression trees, as the C# compiler writes them.
        var state = Expression.Convert(Expression.Property(item, nameof(Item.State)), typeof(int));
        var body = Workflow.QueueStates
            .Select(s => (Expression)Expression.Equal(state, Expression.Constant((int)s)))
            .Aggregate(Expression.OrElse);
        return Expression.Lambda<Func<Item, bool>>(body, item);
    }
}
