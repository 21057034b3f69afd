using Cms.Application.Delivery;

namespace Cms.Application.Tests;

// The wait before a webhook's next attempt (REVIEW5 #6): a receiver's Retry-After may lengthen the
// Standard Webhooks schedule, never shorten it, and never past MaxRetryAfter.
public sealed class WebhookRetryTests
{
    private static readonly WebhookOptions Options = new();

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public void Retry_after_zero_or_one_second_waits_the_schedule(int attempts)
    {
        var scheduled = WebhookOptions.DefaultSchedule[attempts - 1];

        foreach (var asked in new[] { TimeSpan.Zero, TimeSpan.FromSeconds(1) })
        {
            Assert.InRange(Options.RetryWait(attempts, asked, new Random(attempts)), scheduled * 0.8, scheduled * 1.2);
        }
    }

    [Fact]
    public void A_longer_retry_after_is_honoured_up_to_the_cap()
    {
        Assert.Equal(TimeSpan.FromHours(1), Options.RetryWait(1, TimeSpan.FromHours(1), new Random(1)));
        Assert.Equal(Options.MaxRetryAfter, Options.RetryWait(1, TimeSpan.FromDays(30), new Random(1)));
    }

    [Fact]
    public void A_dead_senders_lease_runs_out_within_thirty_seconds_with_the_defaults_and_is_renewed_well_before()
    {
        Assert.True(Options.Lease <= TimeSpan.FromSeconds(30), $"lease {Options.Lease}");
        Assert.True(Options.Lease > Options.Timeout, "a request times out before its lease runs out");
        Assert.True(Options.LeaseRenewal * 2 < Options.Lease);
    }
}
