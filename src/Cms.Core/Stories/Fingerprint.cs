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
        if (words.Count == 1)
        {
            return SimHash([Hash64(words[0])]);
        }
        var shingles = new ulong[words.Count - 1];
        for (var i = 0; i + 1 < words.Count; i++)
        {
            shingles[i] = Hash64(words[i], words[i + 1]);
        }
        return SimHash(shingles);
    }

    // The SimHash of shingles already hashed: each bit is set where most of them have it set.
    // Bits are counted eight at a time, one byte counter per bit (lane j holds bits j, j + 8, ...),
    // emptied into the totals before a byte can overflow.
    public static ulong SimHash(ReadOnlySpan<ulong> shingles)
    {
        const ulong lowBits = 0x0101010101010101UL;
        Span<int> ones = stackalloc int[64];
        Span<ulong> lanes = stackalloc ulong[8];
        var pending = 0;
        foreach (var hash in shingles)
        {
            for (var j = 0; j < 8; j++)
            {
                lanes[j] += (hash >> j) & lowBits;
            }
            if (++pending == 255)
            {
                Empty(lanes, ones);
                pending = 0;
            }
        }
        Empty(lanes, ones);
        ulong result = 0;
        for (var bit = 0; bit < 64; bit++)
        {
            // More votes for than against: set in more than half of the shingles.
            if (2 * ones[bit] > shingles.Length)
            {
                result |= 1UL << bit;
            }
        }
        return result;
    }

    private static void Empty(Span<ulong> lanes, Span<int> ones)
    {
        for (var j = 0; j < 8; j++)
        {
            for (var k = 0; k < 8; k++)
            {
                ones[8 * k + j] += (int)((lanes[j] >> (8 * k)) & 0xFF);
            }
            lanes[j] = 0;
        }
    }

    public static int Distance(ulong a, ulong b) => BitOperations.PopCount(a ^ b);

    public static ushort Band(ulong simHash, int band) => (ushort)(simHash >> (16 * band));

    // FNV-1a 64 with a final avalanche (splitmix64), so short shingles spread over all 64 bits.
    public static ulong Hash64(string text) => Finish(Fnv(Basis, text));

    // The hash of first + " " + second without building that string.
    public static ulong Hash64(string first, string second) => Finish(Fnv((Fnv(Basis, first) ^ ' ') * Prime, second));

    internal const ulong Basis = 14695981039346656037UL;
    internal const ulong Prime = 1099511628211UL;

    internal static ulong Fnv(ulong h, ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            h = (h ^ c) * Prime;
        }
        return h;
    }

    internal static ulong Finish(ulong h)
    {
        h ^= h >> 30;
        h *= 0xbf58476d1ce4e5b9UL;
        h ^= h >> 27;
        h *= 0x94d049bb133111ebUL;
        return h ^ (h >> 31);
    }
}
