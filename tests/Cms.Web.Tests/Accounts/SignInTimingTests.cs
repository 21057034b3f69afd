using System.Diagnostics;
using System.Net;
using Cms.Web.Tests.Infrastructure;

namespace Cms.Web.Tests.Accounts;

// Account enumeration by timing: a wrong password for a real account and any password for an
// unknown one must cost the same (the unknown one is checked against a dummy hash).
public sealed class SignInTimingTests(AppFixture app) : WebTest(app), IClassFixture<AppFixture>
{
    private const int Samples = 20;

    // The machine is shared (load averages above 20 were seen on 2 cores), so one noisy round may
    // be measured again. Without the dummy hash every round is far apart (about 4 ms against 60 ms).
    private const int Attempts = 3;

    [Fact]
    public async Task Sign_in_timing_for_unknown_and_known_accounts_differs_by_less_than_20_percent()
    {
        var known = new List<string>();
        for (var i = 0; i < Samples * Attempts + 3; i++)
        {
            var email = $"timed-{i}-{Guid.NewGuid():N}@example.com";
            await Factory.CreateUserAsync(email, Password, Roles.Editor);
            known.Add(email);
        }
        var client = Factory.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = true });
        var token = Http.AntiforgeryToken(await client.GetStringAsync("/Account/Login"));

        async Task<double> TimeAsync(string email)
        {
            var form = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Input.Email"] = email,
                ["Input.Password"] = "not the right password",
                ["__RequestVerificationToken"] = token,
            });
            var watch = Stopwatch.StartNew();
            var response = await client.PostAsync("/Account/Login", form);
            watch.Stop();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return watch.Elapsed.TotalMilliseconds;
        }

        // Warm-up, then interleaved (alternating which goes first) so load on the machine hits both alike.
        for (var i = 0; i < 3; i++)
        {
            await TimeAsync(known[^(i + 1)]);
            await TimeAsync($"warm-{i}-{Guid.NewGuid():N}@example.com");
        }
        var rounds = new List<string>();
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var knownTimes = new List<double>();
            var unknownTimes = new List<double>();
            for (var i = 0; i < Samples; i++)
            {
                var unknown = $"unknown-{i}-{Guid.NewGuid():N}@example.com";
                if (i % 2 == 0)
                {
                    knownTimes.Add(await TimeAsync(known[attempt * Samples + i]));
                    unknownTimes.Add(await TimeAsync(unknown));
                }
                else
                {
                    unknownTimes.Add(await TimeAsync(unknown));
                    knownTimes.Add(await TimeAsync(known[attempt * Samples + i]));
                }
            }
            var knownMedian = Median(knownTimes);
            var unknownMedian = Median(unknownTimes);
            var difference = Math.Abs(knownMedian - unknownMedian) / Math.Max(knownMedian, unknownMedian);
            rounds.Add($"median known {knownMedian:F1} ms, unknown {unknownMedian:F1} ms ({difference:P1} apart)");
            Console.WriteLine("sign-in timing: " + rounds[^1]);
            if (difference < 0.20)
            {
                return;
            }
        }
        Assert.Fail("sign-in timing differs by 20% or more in every round: " + string.Join("; ", rounds));
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
