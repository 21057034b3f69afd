using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Cms.Core.FrontMatter;
using Cms.Core.Items;
using YamlDotNet.Serialization;

namespace Cms.Testing;

// What other readers make of a published file, as a canonical text of the data model (one line
// per value: its path, type and value), so two readers agree exactly when their texts are equal:
// - YAML 1.1: the real PyYAML (yaml.SafeLoader, pure Python, and yaml.CSafeLoader over libyaml),
//   with merge keys, yes/no/on/off booleans, octal and sexagesimal integers and timestamps;
// - YAML 1.2: YamlDotNet's deserializer resolving plain scalars by the 1.2 core schema, which
//   is not the CMS's reader (that works on parser events and YamlScalars);
// - the CMS: YamlScalars' reading of the same tree, in either reader's vocabulary.
public static class YamlReaders
{
    public enum Schema
    {
        Yaml11,
        Yaml12,
    }

    // PyYAML's reading of each file: "pure" and "libyaml" texts, or a line starting "error:".
    public static async Task<Dictionary<string, (string Pure, string LibYaml)>> PyYamlAsync(IReadOnlyList<string> files)
    {
        var script = Path.Combine(Path.GetTempPath(), $"cms-yaml11-{Environment.ProcessId}.py");
        await File.WriteAllTextAsync(script, PythonScript);
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, StandardOutputEncoding = Encoding.UTF8 };
        start.ArgumentList.Add(script);
        foreach (var file in files)
        {
            start.ArgumentList.Add(file);
        }
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("python3 is needed to read published files as YAML 1.1: apt-get install -y python3-yaml", ex);
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"PyYAML failed (apt-get install -y python3-yaml if it is missing): {await error}");
            }
            using var json = JsonDocument.Parse(await output);
            return json.RootElement.EnumerateObject().ToDictionary(
                f => f.Name,
                f => (PythonText(f.Value.GetProperty("pure")), PythonText(f.Value.TryGetProperty("libyaml", out var c) ? c : f.Value.GetProperty("pure"))));
        }
    }

    // YamlDotNet's YAML 1.2 reading of a published file.
    public static string YamlDotNet12(string file)
    {
        var deserializer = new DeserializerBuilder().WithAttemptingUnquotedStringTypeDeserialization().WithDuplicateKeyChecking().Build();
        try
        {
            return Render(Net(deserializer.Deserialize<object>(FrontMatter(file))), "");
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            return "error: " + ex.Message;
        }
    }

    // The CMS's reading of a tree, in the vocabulary of a 1.1 or a 1.2 reader: in 1.2 a timestamp
    // is the string as written, and floats are compared at YamlDotNet's single precision.
    public static string Cms(SourceNode node, Schema schema) => Render(CmsNode(node, schema), "");

    // The lines between the opening and the closing `---` of a file the CMS wrote.
    public static string FrontMatter(string file)
    {
        var lines = file.Split('\n');
        var end = Array.IndexOf(lines, "---", 1);
        return string.Join('\n', lines[1..end]) + "\n";
    }

    private sealed record Node(string Type, string Text, IReadOnlyList<(Node Key, Node Value)>? Entries = null, IReadOnlyList<Node>? Items = null);

    private static Node Scalar(string type, string text) => new(type, text);

    private static string Render(Node node, string path)
    {
        var text = new StringBuilder();
        Render(text, node, path);
        return text.ToString();
    }

    private static void Render(StringBuilder text, Node node, string path)
    {
        switch (node.Type)
        {
            case "map":
                text.Append(path).Append(" = map ").Append(node.Entries!.Count).Append('\n');
                foreach (var (key, value) in node.Entries!)
                {
                    Render(text, value, $"{path}/{key.Type}:{JsonSerializer.Serialize(key.Text)}");
                }
                break;
            case "seq":
                text.Append(path).Append(" = seq ").Append(node.Items!.Count).Append('\n');
                for (var i = 0; i < node.Items!.Count; i++)
                {
                    Render(text, node.Items[i], $"{path}[{i}]");
                }
                break;
            default:
                text.Append(path).Append(" = ").Append(node.Type).Append(' ').Append(JsonSerializer.Serialize(node.Text)).Append('\n');
                break;
        }
    }

    private static Node CmsNode(SourceNode node, Schema schema)
    {
        switch (node)
        {
            case SourceMapping map:
                return new Node("map", "", map.Entries.Select(e => (Scalar("str", e.Key), CmsNode(e.Value, schema))).ToList());
            case SourceSequence seq:
                return new Node("seq", "", Items: seq.Items.Select(i => CmsNode(i, schema)).ToList());
            default:
                var scalar = (SourceScalar)node;
                return YamlScalars.KindOf(scalar) switch
                {
                    YamlScalars.Kind.Null => Scalar("null", ""),
                    YamlScalars.Kind.Bool => Scalar("bool", YamlScalars.TryBool(scalar, out var b) && b ? "true" : "false"),
                    YamlScalars.Kind.Int => Scalar("int", YamlScalars.TryInteger(scalar, out var n) ? n.ToString(CultureInfo.InvariantCulture) : "?" + scalar.Value),
                    YamlScalars.Kind.Float => Float(YamlScalars.FloatValue(scalar.Value), schema),
                    YamlScalars.Kind.Timestamp when schema == Schema.Yaml12 => Scalar("str", YamlScalars.PlainText(scalar)!),
                    YamlScalars.Kind.Timestamp => Timestamp(scalar.Value.Trim()),
                    _ => Scalar("str", scalar.Value),
                };
        }
    }

    private static Node Timestamp(string text)
    {
        if (!YamlScalars.TryTimestampValue(text, out var value))
        {
            return Scalar("invalid-timestamp", text);
        }
        // A date alone is a date to YAML 1.1 readers; anything with a time an instant (UTC when no
        // zone is given), compared to the microsecond, PyYAML's precision.
        return text.Length == 10
            ? Scalar("date", text)
            : Scalar("timestamp", value.UtcDateTime.AddTicks(-(value.UtcDateTime.Ticks % 10)).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture));
    }

    private static Node Float(double value, Schema schema) =>
        Scalar("float", schema == Schema.Yaml12 ? ((float)value).ToString("R", CultureInfo.InvariantCulture) : YamlScalars.FloatText(value));

    private static Node Python(JsonElement e)
    {
        var type = e[0].GetString()!;
        return type switch
        {
            "map" => new Node("map", "", e[1].EnumerateArray().Select(p => (Python(p[0]), Python(p[1]))).ToList()),
            "seq" => new Node("seq", "", Items: e[1].EnumerateArray().Select(Python).ToList()),
            "float" => Scalar("float", YamlScalars.FloatText(PythonFloat(e[1].GetString()!))),
            _ => Scalar(type, e[1].GetString()!),
        };
    }

    private static string PythonText(JsonElement e) => Render(Python(e), "");

    private static double PythonFloat(string repr) => repr switch
    {
        "nan" => double.NaN,
        "inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        _ => double.Parse(repr, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static Node Net(object? value) => value switch
    {
        null => Scalar("null", ""),
        Dictionary<object, object?> map => new Node("map", "", map.Select(p => (Net(p.Key), Net(p.Value))).ToList()),
        List<object?> list => new Node("seq", "", Items: list.Select(Net).ToList()),
        string s => Scalar("str", s),
        bool b => Scalar("bool", b ? "true" : "false"),
        byte or sbyte or short or ushort or int or uint or long or ulong or BigInteger => Scalar("int", Convert.ToString(value, CultureInfo.InvariantCulture)!),
        float f => Scalar("float", f.ToString("R", CultureInfo.InvariantCulture)),
        double d => Scalar("float", ((float)d).ToString("R", CultureInfo.InvariantCulture)),
        decimal m => Scalar("float", ((float)m).ToString("R", CultureInfo.InvariantCulture)),
        _ => Scalar("other", value.GetType().Name + ":" + value),
    };

    // Reads each file named on the command line, between its `---` lines, with yaml.SafeLoader and
    // yaml.CSafeLoader; prints {file: {pure: tree, libyaml: tree}} as JSON.
    private const string PythonScript = """
        import sys, json, datetime, yaml

        def enc(v):
            if isinstance(v, bool): return ["bool", "true" if v else "false"]
            if v is None: return ["null", ""]
            if isinstance(v, int): return ["int", str(v)]
            if isinstance(v, float): return ["float", repr(v)]
            if isinstance(v, datetime.datetime):
                if v.tzinfo is not None:
                    v = v.astimezone(datetime.timezone.utc).replace(tzinfo=None)
                return ["timestamp", v.strftime("%Y-%m-%dT%H:%M:%S.%f")]
            if isinstance(v, datetime.date): return ["date", v.isoformat()]
            if isinstance(v, str): return ["str", v]
            if isinstance(v, dict): return ["map", [[enc(k), enc(x)] for k, x in v.items()]]
            if isinstance(v, list): return ["seq", [enc(x) for x in v]]
            return ["other", type(v).__name__ + ":" + repr(v)[:200]]

        def front(text):
            lines = text.split("\n")
            end = lines.index("---", 1)
            return "\n".join(lines[1:end]) + "\n"

        out = {}
        for path in sys.argv[1:]:
            with open(path, encoding="utf-8", newline="") as f:
                text = f.read()
            result = {}
            for name, loader in (("pure", yaml.SafeLoader), ("libyaml", getattr(yaml, "CSafeLoader", None))):
                if loader is None:
                    continue
                try:
                    result[name] = enc(yaml.load(front(text), Loader=loader))
                except Exception as e:
                    result[name] = ["error", type(e).__name__ + ": " + str(e)[:500]]
            out[path] = result
        json.dump(out, sys.stdout, ensure_ascii=True)
        """;
}
