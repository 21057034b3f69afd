using System.Globalization;
using Cms.Core.Items;

namespace Cms.Application.Queue;

public enum CountKind
{
    Exact,
    // At least Value: the capped count stopped there.
    AtLeast,
    // The planner's estimate of the filter's matches, shared out by the states' exact totals.
    About,
}

public sealed record StateCount(long Value, CountKind Kind)
{
    public string Label => Kind switch
    {
        CountKind.AtLeast => Value.ToString(CultureInfo.InvariantCulture) + "+",
        CountKind.About => "about " + Value.ToString("N0", CultureInfo.InvariantCulture),
        _ => Value.ToString(CultureInfo.InvariantCulture),
    };
}

// The queue page's count beside each state, and whether any of them is not exact.
public sealed class StateCounts(IReadOnlyDictionary<WorkflowState, StateCount> byState)
{
    public static readonly StateCounts None = new(new Dictionary<WorkflowState, StateCount>());

    public StateCount this[WorkflowState state] => byState.GetValueOrDefault(state) ?? new StateCount(0, CountKind.Exact);

    public bool AnyEstimated => byState.Values.Any(c => c.Kind == CountKind.About);

    public bool AnyCapped => byState.Values.Any(c => c.Kind == CountKind.AtLeast);

    // Two significant digits: an estimate should not look more precise than it is.
    public static long Round(double estimate)
    {
        if (estimate < 100)
        {
            return (long)Math.Round(estimate);
        }
        var unit = Math.Pow(10, Math.Floor(Math.Log10(estimate)) - 1);
        return (long)(Math.Round(estimate / unit) * unit);
    }
}
