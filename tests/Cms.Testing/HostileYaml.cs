namespace Cms.Testing;

// Mapping keys that YAML 1.1 and 1.2 readers resolve to something other than the string the CMS
// reads: quoted keys that look like booleans, numbers, nulls, merge and value keys, and the same
// keys plain. Top-level lines of a front matter, for the writer's and the publication's tests.
public static class HostileYaml
{
    public const string KeyTraps = """
        "true": quoted true key
        "on": x
        "1:20": x
        "=": x
        "~": x
        "null": x
        "y": x
        "1e3": x
        ".inf": x
        "0x10": x
        "-": x
        "? x": x
        "# c": x
        "": empty key
        " lead": x
        "a: b": x
        "Yes": x
        "<<x": not a merge key
        plainKeys:
          true: a
          on: b
          1:20: c
          =: d
          y: e
          010: f
          ~: g
          0x1F: h
          2001-12-14: i

        """;
}
