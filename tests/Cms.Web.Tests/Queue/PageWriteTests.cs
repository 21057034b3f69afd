using System.Text;
using Cms.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Cms.Web.Tests.Queue;

// How the app hands its pages to Kestrel: each write was CPU a queue page paid for on 2 shared cores (docs/benchmarks.md, issue 23 Build 5, QUEUE8).
public sealed class PageWriteTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    // Records each write the response writer makes (a write to Kestrel's body is a chunk and a send).
    private sealed class CountingStream : Stream
    {
        private readonly MemoryStream _written = new();

        public List<int> Writes { get; } = [];

        public byte[] Bytes => _written.ToArray();

        public override void Write(byte[] buffer, int offset, int count) => Record(buffer.AsSpan(offset, count));

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Record(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Record(buffer.Span);
            return ValueTask.CompletedTask;
        }

        private void Record(ReadOnlySpan<byte> bytes)
        {
            Writes.Add(bytes.Length);
            _written.Write(bytes);
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _written.Length;
        public override long Position { get => _written.Length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    // The queue's default page is about 46,000 characters (45 KiB); MVC's writer sent it to Kestrel
    // in 16 K-character pieces, each a chunk and a send of its own.
    [Fact]
    public async Task A_page_the_size_of_the_queue_reaches_the_response_in_one_write()
    {
        var factory = Factory.Services.GetRequiredService<IHttpResponseStreamWriterFactory>();
        var row = "<tr data-item-id=\"1\"><td>Заголовок новости · Ελλάδα · headline</td></tr>\n";
        var page = string.Concat(Enumerable.Repeat(row, 60_000 / row.Length));
        await using var body = new CountingStream();

        await using (var writer = factory.CreateWriter(body, Encoding.UTF8))
        {
            await writer.WriteAsync(page);
            await writer.FlushAsync();
        }

        Assert.True(body.Writes.Count(n => n > 0) == 1, $"writes of {string.Join(", ", body.Writes)} bytes");
        Assert.Equal(page, Encoding.UTF8.GetString(body.Bytes));
    }
}
