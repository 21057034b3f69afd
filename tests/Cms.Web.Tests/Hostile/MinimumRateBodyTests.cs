using System.IO.Pipelines;
using Cms.Web.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace Cms.Web.Tests.Hostile;

// The upload body's minimum rate on its own: a pipe stands for the connection and a fake clock for
// time, so every case is decided by bytes and seconds the test chooses, not by the machine.
public sealed class MinimumRateBodyTests
{
    private const int BytesPerSecond = 1024;
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan SafetyNet = TimeSpan.FromMinutes(1);

    private readonly FakeTimeProvider _clock = new();
    private readonly Pipe _connection = new();
    private readonly byte[] _buffer = new byte[64 * 1024];

    private MinimumRateBody Body() => new(_connection.Reader.AsStream(), BytesPerSecond, Grace, _clock);

    private async Task SendAsync(int bytes)
    {
        await _connection.Writer.WriteAsync(new byte[bytes]);
    }

    [Fact]
    public async Task A_stalled_body_is_cut_off_with_408_once_the_grace_period_has_passed_and_not_before()
    {
        using var body = Body();
        await SendAsync(100);
        Assert.Equal(100, await body.ReadAsync(_buffer));
        var pending = body.ReadAsync(_buffer).AsTask();

        for (var second = 0; second < Grace.TotalSeconds; second++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.False(pending.IsCompleted, "cut off within the grace period");
        Assert.False(body.CutOff);
        _clock.Advance(TimeSpan.FromSeconds(1));

        var cut = await Assert.ThrowsAsync<BadHttpRequestException>(() => pending.WaitAsync(SafetyNet));
        Assert.Equal(StatusCodes.Status408RequestTimeout, cut.StatusCode);
        Assert.True(body.CutOff);
        await Assert.ThrowsAsync<BadHttpRequestException>(() => body.ReadAsync(_buffer).AsTask());
    }

    [Fact]
    public async Task A_body_that_keeps_the_rate_is_read_to_the_end()
    {
        using var body = Body();
        for (var second = 0; second < 60; second++)
        {
            var pending = body.ReadAsync(_buffer).AsTask();
            _clock.Advance(TimeSpan.FromSeconds(1));
            await SendAsync(2 * BytesPerSecond);
            Assert.Equal(2 * BytesPerSecond, await pending.WaitAsync(SafetyNet));
        }
        _connection.Writer.Complete();

        Assert.Equal(0, await body.ReadAsync(_buffer));
        Assert.False(body.CutOff);
    }

    [Fact]
    public async Task Time_the_app_spends_between_reads_does_not_count()
    {
        using var body = Body();
        await SendAsync(100);
        Assert.Equal(100, await body.ReadAsync(_buffer));

        // The app is busy (no read waiting) for an hour: nothing to blame on the client.
        _clock.Advance(TimeSpan.FromHours(1));
        await SendAsync(100);

        Assert.Equal(100, await body.ReadAsync(_buffer));
        Assert.False(body.CutOff);
    }

    [Fact]
    public async Task A_body_read_to_the_end_is_never_cut_off_afterwards_even_if_its_average_ended_below_the_minimum()
    {
        using var body = Body();
        var first = body.ReadAsync(_buffer).AsTask();
        _clock.Advance(TimeSpan.FromSeconds(0.5));
        await SendAsync(10_700);
        Assert.Equal(10_700, await first.WaitAsync(SafetyNet));
        var last = body.ReadAsync(_buffer).AsTask();
        // Second by second (a fake clock runs its timers at the time it is moved to): the checks at
        // 1 ... 10 s see at most 10 s of waiting, within the grace period.
        _clock.Advance(TimeSpan.FromSeconds(0.5));
        for (var second = 1; second < Grace.TotalSeconds; second++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
        }
        _clock.Advance(TimeSpan.FromSeconds(0.99));
        Assert.False(last.IsCompleted);
        _connection.Writer.Complete();
        Assert.Equal(0, await last.WaitAsync(SafetyNet));

        // 10,700 bytes in 10.99 s of waiting is below 1,024 bytes/s, but the body is in: the import
        // may take as long as it takes.
        _clock.Advance(TimeSpan.FromHours(1));

        Assert.False(body.CutOff);
    }
}
