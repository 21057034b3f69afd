using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Cms.Core.Auditing;

// One audit event's content. Its canonical form (Payload) is a JSON object with a fixed property
// order; the database stores that exact string in a text column and hashes it into the chain, so
// `audit verify` can recompute every hash from the stored rows alone. The row's own columns repeat
// the envelope fields for indexing; verify checks that they agree with the payload.
public sealed record AuditRecord(
    DateTimeOffset At,
    string? ActorId,
    string Actor,
    string Action,
    string? TargetType,
    string? TargetId,
    string? Ip,
    string? RequestId,
    string? DataJson)
{
    public const int Version = 1;
    public const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    // PostgreSQL keeps microseconds; a stored time must read back exactly as it was hashed.
    public static DateTimeOffset Truncate(DateTimeOffset at) =>
        new(at.UtcTicks - at.UtcTicks % 10, TimeSpan.Zero);

    public static string FormatTime(DateTimeOffset at) => at.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    public static string? SerializeData(object? data) => data switch
    {
        null => null,
        JsonElement element => element.GetRawText(),
        _ => JsonSerializer.Serialize(data, data.GetType()),
    };

    public string ToPayload()
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (DataJson?.Length ?? 0));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("v", Version);
            json.WriteString("at", FormatTime(At));
            json.WriteString("actorId", ActorId);
            json.WriteString("actor", Actor);
            json.WriteString("action", Action);
            json.WriteString("targetType", TargetType);
            json.WriteString("targetId", TargetId);
            json.WriteString("ip", Ip);
            json.WriteString("requestId", RequestId);
            json.WritePropertyName("data");
            if (DataJson is null)
            {
                json.WriteNullValue();
            }
            else
            {
                json.WriteRawValue(DataJson);
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    // The envelope and the raw `data` value of a stored payload; null when it is not a version-1
    // audit payload at all.
    public static AuditRecord? Parse(ReadOnlySpan<byte> utf8)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }
            int? version = null;
            string? at = null, actorId = null, actor = null, action = null, targetType = null, targetId = null, ip = null, requestId = null, data = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "v": version = reader.TokenType == JsonTokenType.Number ? reader.GetInt32() : null; break;
                    case "at": at = reader.GetString(); break;
                    case "actorId": actorId = reader.GetString(); break;
                    case "actor": actor = reader.GetString(); break;
                    case "action": action = reader.GetString(); break;
                    case "targetType": targetType = reader.GetString(); break;
                    case "targetId": targetId = reader.GetString(); break;
                    case "ip": ip = reader.GetString(); break;
                    case "requestId": requestId = reader.GetString(); break;
                    case "data":
                        if (reader.TokenType != JsonTokenType.Null)
                        {
                            var start = (int)reader.TokenStartIndex;
                            reader.Skip();
                            data = Encoding.UTF8.GetString(utf8[start..(int)reader.BytesConsumed]);
                        }
                        break;
                    default: reader.Skip(); break;
                }
            }
            if (version != Version || at is null || actor is null || action is null
                || !DateTimeOffset.TryParseExact(at, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when))
            {
                return null;
            }
            return new AuditRecord(when, actorId, actor, action, targetType, targetId, ip, requestId, data);
        }
        catch (JsonException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    public static AuditRecord? Parse(string payload) => Parse(Encoding.UTF8.GetBytes(payload));

    // The `data` of a stored payload as JSON text, or null.
    public static string? DataOf(string? payload) => payload is null ? null : Parse(payload)?.DataJson;
}

// The hash chain: each event's hash covers the previous event's hash and its own payload.
public static class AuditChain
{
    // The previous hash of the first event.
    public static readonly string Genesis = new('0', 64);

    // Sealers take turns on this transaction-level advisory lock (audit_seal(); writers never take it).
    public const long LockKey = 0x636d735f617564; // "cms_aud"

    public static string Hash(string previousHash, string payload)
    {
        var max = Encoding.UTF8.GetMaxByteCount(previousHash.Length + 1 + payload.Length);
        var rented = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            var length = Encoding.UTF8.GetBytes(previousHash, rented);
            rented[length++] = (byte)'\n';
            length += Encoding.UTF8.GetBytes(payload, rented.AsSpan(length));
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(rented.AsSpan(0, length), hash);
            return Convert.ToHexStringLower(hash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
