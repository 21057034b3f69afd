using Cms.Core.Text;

namespace Cms.Core.Items;

// Categories form one list regardless of letter case: "World" and "world" are one category, stored
// in the spelling the list first had (the existing spelling wins; the import, the edit form and a
// revision's category take it). The key is the cleaned name (UnicodeText.CleanName) case-folded
// (UnicodeText.CaseKey): UnicodeText.NameKey, the topics' key too; the database computes the same
// key for the list's unique index (categories.normalized_name, cms_category_key()).
public static class CategoryNames
{
    public static string Key(string name) => UnicodeText.NameKey(name);
}
