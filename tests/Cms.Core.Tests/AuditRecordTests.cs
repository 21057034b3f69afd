using System.Security.Cryptography;
using System.Text;
using Cms.Core.Auditing;

namespace Cms.Core.Tests;

public sealed class AuditRecordTests
{
    private static readonly AuditRecord Sample = new(
        new DateTimeOffset(2026, 11, 26, 2, 0, 0, TimeSpan.Zero).AddTicks(1234567), "user-1", "Zoë <editor>", AuditActions.ItemEdited,
        AuditTargets.Item, "42", "203.0.113.9", "00-abc-01", """{"changes":[{"field":"quality","before":1,"after":2}],"note":"ünïcode"}""");

    [Fact]
    public void The_payload_has_a_fixed_property_order_and_parses_back_to_the_same_record()
    {
        var record = Sample with { At = AuditRecord.Truncate(Sample.At) };

        var payload = record.ToPayload();

        Assert.StartsWith("""{"v":1,"at":"2026-11-26T02:00:00.123456Z","actorId":"user-1","actor":""", payload);
        Assert.EndsWith(""","data":{"changes":[{"field":"quality","before":1,"after":2}],"note":"ünïcode"}}""", payload);
        Assert.Equal(record, AuditRecord.Parse(payload));
        Assert.Equal(payload, record.ToPayload());
    }

    [Fact]
    public void Times_are_cut_to_microseconds_as_PostgreSQL_stores_them()
    {
        Assert.Equal(1234560, AuditRecord.Truncate(Sample.At).UtcTicks % 10_000_000);
    }

    [Fact]
    public void The_hash_covers_the_previous_hash_a_line_feed_and_the_payload()
    {
        var payload = Sample.ToPayload();
        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(AuditChain.Genesis + "\n" + payload)));

        Assert.Equal(expected, AuditChain.Hash(AuditChain.Genesis, payload));
        Assert.NotEqual(expected, AuditChain.Hash(new string('1', 64), payload));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"v":2,"at":"2026-11-26T02:00:00.000000Z","actor":"a","action":"b"}""")]
    [InlineData("""{"v":1,"at":"yesterday","actor":"a","action":"b"}""")]
    [InlineData("[]")]
    public void Something_that_is_not_a_version_1_record_does_not_parse(string payload)
    {
        Assert.Null(AuditRecord.Parse(payload));
    }
}
