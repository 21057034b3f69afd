namespace Cms.Core.Items;

// Topics form one vocabulary regardless of case and surrounding spaces: "AI" and " ai" are one
// topic. Every lookup, de-duplication and unique index goes through this one rule.
public static class TopicNames
{
    public static string Normalize(string name) => name.Trim().ToLowerInvariant();
}
