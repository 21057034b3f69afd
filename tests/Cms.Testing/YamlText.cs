using System.Globalization;
using System.Text;

namespace Cms.Testing;

// The one YAML escaper of the test data (TestItem, ItemFileGenerator, RealisticItemGenerator).
public static class YamlText
{
    // A YAML double-quoted scalar: any text, including quotes, colons, `---` and control
    // characters, reads back as is.
    public static string Quote(string value)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': quoted.Append("\\\""); break;
                case '\\': quoted.Append("\\\\"); break;
                case '\n': quoted.Append("\\n"); break;
                case '\t': quoted.Append("\\t"); break;
                default:
                    if (char.IsControl(c))
                    {
                        quoted.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        quoted.Append(c);
                    }
                    break;
            }
        }
        return quoted.Append('"').ToString();
    }
}
