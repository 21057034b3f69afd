using System.Numerics;

namespace Cms.Core.Stories;

// 64-bit SimHash (Charikar) over word pairs: copies of one wire story differ in a few bits, other
// texts in about half. Split into four 16-bit bands, two fingerprints within 3 bits of each other
// share at least one band exactly (pigeonhole), which is what lets an index find them.
public static class Fingerprint
{
    public const int Bands = 4;

    public static ulong SimHash(IReadOnlyList<string> words)
    {
        if (words.Count == 0)
        {
            return 0;
        }
        Span<int> votes = stackalloc int[64];
        if (words.Count == 1)
        {
            Vote(votes, Hash64(words[0]));
        }
        for (var i = 0; i + 1 < words.Count; i++)
        {
            Vote(votes, Hash64(words[i], words[i + 1]));
        }
        ulong result = 0;
        for (var bit = 0; bit < 64; bit++)
        {
            if (votes[bit] > 0)
            {
                result |= 1UL << bit;
            }
        }
        return result;
    }

    public static int Distance(ulong a, ulong b) => BitOperations.PopCount(a ^ b);

    public static ushort Band(ulong simHash, int band) => (ushort)(simHash >> (16 * band));

    private static void Vote(Span<int> votes, ulong hash)
    {
        for (var bit = 0; bit < 64; bit++)
        {
            votes[bit] += ((hash >> bit) & 1) == 1 ? 1 : -1;
        }
    }

    // FNV-1a 64 with a final avalanche (splitmix64), so short shingles spread over all 64 bits.
    public static ulong Hash64(string text) => Finish(Fnv(14695981039346656037UL, text));

    // The hash of first + " " + second without building that string.
    public static ulong Hash64(string first, string second) => Finish(Fnv((Fnv(14695981039346656037UL, first) ^ ' ') * 1099511628211UL, second));

    private static ulong Fnv(ulong h, string text)
    {
        foreach (var c in text)
        {
            h = (h ^ c) * 1099511628211UL;
        }
        return h;
    }

    private static ulong Finish(ulong h)
    {
        h ^= h >> 30;
        h *= 0xbf58476d1ce4e5b9UL;
        h ^= h >> 27;
        h *= 0x94d049bb133111ebUL;
        return h ^ (h >> 31);
    }
}
