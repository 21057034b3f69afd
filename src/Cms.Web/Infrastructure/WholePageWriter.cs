using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace Cms.Web.Infrastructure;

// A rendered page reaches the response in one write instead of one per 16 K characters (MVC's
// default writer): Kestrel sends each write as a chunk of its own, so the 45 KiB queue page went
// out as three sends plus the last chunk, each a loopback or proxy send, a wake-up of the reader and
// a scheduling round on 2 shared cores (docs/benchmarks.md, issue 23 Build 5, QUEUE8). The buffers
// are rented from the shared pools, as MVC's own are: 64 K characters and their UTF-8 bytes a page
// being written, whatever its size (a larger page is written in 64 K pieces).
public sealed class WholePageWriterFactory : IHttpResponseStreamWriterFactory
{
    public const int BufferChars = 64 * 1024;

    public TextWriter CreateWriter(Stream stream, Encoding encoding) =>
        new HttpResponseStreamWriter(stream, encoding, BufferChars, ArrayPool<byte>.Shared, ArrayPool<char>.Shared);
}
