using System.Globalization;
using Cms.Core.Items;

namespace Cms.Application.Queue;

public enum CountKind
{
    Exact,
    // At least Value: counting stopped there (or this many were seen on the page).
    AtLeast,
    // The planner's estimate, within QueueCounts.StatedError of the truth where it is shown.
    About,
    // Not counted: nothing was read for this state and no estimate is good enough.
    Unknown,
}

public sealed record StateCount(long Value, CountKind Kind)
{
    public static StateCount AtLeast(long value) => value > 0 ? new(value, CountKind.AtLeast) : new(0, CountKind.Unknown);

    public string Label => Kind switch
    {
        CountKind.AtLeast => Value.ToString("N0", CultureInfo.InvariantCulture) + "+",
        CountKind.About => "about " + Value.ToString("N0", CultureInfo.InvariantCulture),
        CountKind.Unknown => "?",
        _ => Value.ToString(CultureInfo.InvariantCulture),
    };

    // What a page of rows adds to this count: at least the rows shown, and, when the page holds
    // every row of the view (wholeView), exactly those.
    public StateCount WithRows(long rows, bool wholeView) =>
        wholeView ? new(rows, CountKind.Exact)
        : Kind == CountKind.Exact || (Kind == CountKind.About && Value >= rows) || (Kind == CountKind.AtLeast && Value >= rows) ? this
        : AtLeast(rows);
}

// The queue page's count beside each state, and whether any of them is not exact.
public sealed class StateCounts(IReadOnlyDictionary<WorkflowState, StateCount> byState)
{
    public static readonly StateCounts None = new(new Dictionary<WorkflowState, StateCount>());

    public StateCount this[WorkflowState state] => byState.GetValueOrDefault(state) ?? new StateCount(0, CountKind.Exact);

    public bool AnyEstimated => byState.Values.Any(c => c.Kind == CountKind.About);

    public bool AnyCapped => byState.Values.Any(c => c.Kind == CountKind.AtLeast);

    public bool AnyUnknown => byState.Values.Any(c => c.Kind == CountKind.Unknown);

    // The view's own states made exact, or at least as large as the page shows: a first page that
    // holds the whole view (no next page) is the count of its states.
    public StateCounts WithPage<T>(IReadOnlyList<T> rows, Func<T, WorkflowState> stateOf, IReadOnlyCollection<WorkflowState> viewStates, bool wholeView) =>
        new(Enum.GetValues<WorkflowState>().ToDictionary(s => s,
            s => viewStates.Contains(s) ? this[s].WithRows(rows.Count(r => stateOf(r) == s), wholeView) : this[s]));

    // The count of several states together (a saved view's states): exact only when each is.
    public StateCount Sum(IEnumerable<WorkflowState> states)
    {
        var parts = states.Select(s => this[s]).ToList();
        var value = parts.Sum(p => p.Value);
        return parts.All(p => p.Kind == CountKind.Exact) ? new(value, CountKind.Exact)
            : parts.Any(p => p.Kind == CountKind.Unknown) || parts.Any(p => p.Kind == CountKind.AtLeast) ? StateCount.AtLeast(value)
            : new(Round(value), CountKind.About);
    }

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
