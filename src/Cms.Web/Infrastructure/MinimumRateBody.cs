namespace Cms.Web.Infrastructure;

// A request body that must keep arriving at a minimum average rate once a grace period has passed.
// As with Kestrel's MinRequestBodyDataRate, only the time the app spends waiting for bytes counts
// (a body already received does not time out while the import runs). Kestrel's own feature exists
// only on Kestrel (not under TestServer) and reads the wall clock; this one works wherever the app
// is hosted and reads the app's TimeProvider, so a test decides when time passes.
public sealed class MinimumRateBody : Stream
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(1);

    private readonly Stream _inner;
    private readonly double _bytesPerSecond;
    private readonly TimeSpan _grace;
    private readonly TimeProvider _clock;
    private readonly CancellationTokenSource _cut = new();
    private readonly ITimer _timer;
    private readonly Lock _lock = new();
    private long _bytes;
    private TimeSpan _waited;
    private long _waitingSince;
    private bool _waiting;

    public MinimumRateBody(Stream inner, double bytesPerSecond, TimeSpan grace, TimeProvider clock)
    {
        _inner = inner;
        _bytesPerSecond = bytesPerSecond;
        _grace = grace;
        _clock = clock;
        _timer = clock.CreateTimer(_ => Check(), null, CheckEvery, CheckEvery);
    }

    // The body came slower than the minimum: the read in progress was cancelled, later ones throw.
    public bool CutOff => _cut.IsCancellationRequested;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (CutOff)
        {
            throw TooSlow();
        }
        lock (_lock)
        {
            _waitingSince = _clock.GetTimestamp();
            _waiting = true;
        }
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _cut.Token);
            var read = await _inner.ReadAsync(buffer, linked.Token);
            Interlocked.Add(ref _bytes, read);
            return read;
        }
        catch (OperationCanceledException) when (CutOff && !cancellationToken.IsCancellationRequested)
        {
            throw TooSlow();
        }
        finally
        {
            lock (_lock)
            {
                _waited += _clock.GetElapsedTime(_waitingSince);
                _waiting = false;
            }
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Synchronous reads are refused by Kestrel anyway; they are passed on, counted but not timed.
    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = _inner.Read(buffer, offset, count);
        Interlocked.Add(ref _bytes, read);
        return read;
    }

    // Only while the app waits for bytes: a body already read (the import running) is never cut off.
    private void Check()
    {
        bool tooSlow;
        lock (_lock)
        {
            var waited = _waited + (_waiting ? _clock.GetElapsedTime(_waitingSince) : TimeSpan.Zero);
            tooSlow = _waiting && waited > _grace && Interlocked.Read(ref _bytes) < _bytesPerSecond * waited.TotalSeconds;
        }
        if (tooSlow && !CutOff)
        {
            // Outside the lock: cancelling runs the pending read's continuation, which takes it.
            _cut.Cancel();
        }
    }

    private BadHttpRequestException TooSlow() =>
        new($"The request body arrived slower than {_bytesPerSecond:0} bytes per second.", StatusCodes.Status408RequestTimeout);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // The token source stays undisposed: a timer callback already under way may still cancel it.
            _timer.Dispose();
        }
        base.Dispose(disposing);
    }
}
