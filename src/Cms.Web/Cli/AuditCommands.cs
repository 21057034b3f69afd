using System.CommandLine;
using System.Diagnostics;
using Cms.Application.Auditing;
using Cms.Application.Delivery;
using Cms.Application.Publishing;

namespace Cms.Web.Cli;

public static class AuditCommands
{
    public const int Broken = 1;

    // ./cms audit verify [--anchor HASH]: exit 0 when every hash checks out, 1 naming the first bad event.
    public static Command Audit()
    {
        var audit = new Command("audit", "The tamper-evident audit trail.");
        var anchor = new Option<string?>("--anchor") { Description = "A head hash kept outside the database; the chain must still contain it." };
        anchor.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } value && !System.Text.RegularExpressions.Regex.IsMatch(value.Trim(), "^[0-9a-fA-F]{64}$"))
            {
                r.AddError("--anchor must be a SHA-256 hash: 64 hexadecimal characters");
            }
        });
        var verify = new Command("verify", "Recompute every hash of the audit chain from the stored rows; check the latest kept anchor.") { anchor };
        verify.SetAction(async (parse, ct) =>
        {
            var clock = Stopwatch.StartNew();
            var result = await CliHost.RunAsync(s => s.GetRequiredService<AuditVerifier>().VerifyAsync(parse.GetValue(anchor), ct));
            var elapsed = clock.Elapsed.TotalSeconds;
            if (result.FirstBad is { } bad)
            {
                Console.Error.WriteLine($"audit trail broken at event #{bad.Seq} (id {bad.Id}): {bad.Reason}");
                Console.WriteLine($"checked {result.Checked} events before it; last good hash {result.Head ?? "(none)"}");
                return Broken;
            }
            if (result.Kept is { Failure: { } failure } kept)
            {
                Console.Error.WriteLine($"audit trail does not hold its latest anchor (#{kept.Anchor.Seq} {kept.Anchor.Hash} of {kept.Anchor.At:u}, {kept.File}): {failure}");
                Console.WriteLine($"checked {result.Checked} events; head {result.Head ?? "(empty)"}");
                return Broken;
            }
            if (result.AnchorMissing)
            {
                Console.Error.WriteLine($"anchor {parse.GetValue(anchor)!.Trim()} is not in the chain: events after it were removed or the trail was rewritten");
                Console.WriteLine($"checked {result.Checked} events; head {result.Head ?? "(empty)"}");
                return Broken;
            }
            if (result.UnsealedTooLong)
            {
                Console.Error.WriteLine($"{result.Unsealed} audit events are not sealed, the oldest from {result.OldestUnsealed:u}: no sealer is running "
                    + "(start an app instance or ./cms worker, or run ./cms audit seal)");
                Console.WriteLine($"checked {result.Checked} events; head {result.Head ?? "(empty)"}");
                return Broken;
            }
            Console.WriteLine($"verified {result.Checked} events in {elapsed:F1} s; head {result.Head ?? "(empty)"}");
            Console.WriteLine(result.Kept is { } holds
                ? $"latest anchor #{holds.Anchor.Seq} of {holds.Anchor.At:u} holds ({holds.File})"
                : $"no anchor kept yet ({result.AnchorFile})");
            if (result.Unsealed > 0)
            {
                Console.WriteLine($"{result.Unsealed} recent events are not sealed yet (oldest from {result.OldestUnsealed:u})");
            }
            return CmsCli.Ok;
        });
        audit.Add(verify);

        // ./cms audit seal: chain what has committed and write the head to the anchor file now.
        var seal = new Command("seal", "Seal the committed audit events into the chain and anchor the head.");
        seal.SetAction(async (_, ct) =>
        {
            using var host = CliHost.Build();
            var (sealedNow, anchored) = await host.Services.GetRequiredService<AuditSealingLoop>().RoundAsync(anchorNow: true, ct);
            Console.WriteLine($"sealed {sealedNow.Sealed} events; head #{sealedNow.HeadSeq} {sealedNow.HeadHash ?? "(empty)"}");
            if (anchored.Refused is { } refused)
            {
                Console.Error.WriteLine($"{refused} ({anchored.File})");
                return Broken;
            }
            Console.WriteLine(anchored.Latest is { } latest ? $"anchor #{latest.Seq} in {anchored.File}" : "nothing to anchor yet");
            return CmsCli.Ok;
        });
        audit.Add(seal);
        return audit;
    }

    // ./cms worker [--once]: drain the publishing outbox, publish scheduled items and seal the audit
    // trail, without the web app.
    public static Command Worker()
    {
        var once = new Option<bool>("--once") { Description = "Do what is due now, then exit." };
        var command = new Command("worker", "Run the publishing worker (outbox, scheduled publishing and webhooks) and the audit sealer.") { once };
        command.SetAction(async (parse, ct) =>
        {
            using var host = CliHost.Build();
            var loop = host.Services.GetRequiredService<PublishingLoop>();
            var webhooks = host.Services.GetRequiredService<WebhookLoop>();
            var sealer = host.Services.GetRequiredService<AuditSealingLoop>();
            if (parse.GetValue(once))
            {
                // Files first: a webhook for a version is sent after its move, whatever the folder does.
                await loop.DrainAsync(ct);
                await webhooks.RoundAsync(ct);
                await sealer.RoundAsync(anchorNow: false, ct);
                Console.WriteLine("publishing worker: nothing more is due");
                return CmsCli.Ok;
            }
            // The link checker runs beside them when enabled (LinkCheck:Enabled), as in the web app.
            var links = host.Services.GetRequiredService<Cms.Core.Links.LinkCheckSettings>();
            await Task.WhenAll(loop.RunAsync(ct), webhooks.RunAsync(ct), sealer.RunAsync(ct),
                links.Enabled ? host.Services.GetRequiredService<Cms.Application.Links.LinkCheckLoop>().RunAsync(ct) : Task.CompletedTask);
            return CmsCli.Ok;
        });
        return command;
    }
}
