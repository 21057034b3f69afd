using System.Diagnostics;

namespace Cms.Web.Tests.Infrastructure;

// Waits for something that is bound to happen (a background worker's write, a browser event) by
// looking again until it has. The limit is only a safety net: it fails with a clear message and
// never decides which of two things came first.
public static class Eventually
{
    public static readonly TimeSpan SafetyNet = TimeSpan.FromMinutes(2);

    public static async Task HappensAsync(Func<bool> condition, string what, TimeSpan? within = null)
    {
        var limit = within ?? SafetyNet;
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > limit)
            {
                throw new Xunit.Sdk.XunitException($"safety net: {what} did not happen within {limit.TotalSeconds:0} s");
            }
            await Task.Delay(50);
        }
    }

    public static async Task HappensAsync(Func<Task<bool>> condition, string what, TimeSpan? within = null)
    {
        var limit = within ?? SafetyNet;
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > limit)
            {
                throw new Xunit.Sdk.XunitException($"safety net: {what} did not happen within {limit.TotalSeconds:0} s");
            }
            await Task.Delay(50);
        }
    }
}
