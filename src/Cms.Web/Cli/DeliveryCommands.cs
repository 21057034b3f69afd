using System.CommandLine;
using Cms.Application;
using Cms.Application.Delivery;

namespace Cms.Web.Cli;

// `./cms sites ...` and `./cms webhooks ...`: the same handlers as the Admin pages, with the OS user
// (cli:<name>) as the actor. Tokens and secrets are printed once.
public static class DeliveryCommands
{
    public static Command Sites()
    {
        var sites = new Command("sites", "Consuming sites: API and feed tokens.");
        var name = new Argument<string>("name");
        var add = new Command("add", "Create a site and print its token (shown once).") { name };
        add.SetAction(async (parse, ct) =>
        {
            var outcome = await CliHost.RunAsync(s => s.GetRequiredService<DeliverySites>().CreateAsync(Actor.CommandLine(), parse.GetRequiredValue(name), ct));
            return ShownOnce(outcome.Result, "Token", outcome.Value);
        });
        sites.Add(add);

        var rotateName = new Argument<string>("name");
        var overlap = OverlapHours("How long the current tokens keep working (hours, default 24).", DeliverySites.DefaultOverlap);
        var rotate = new Command("rotate", "Issue a new token; the current ones work for the overlap.") { rotateName, overlap };
        rotate.SetAction(async (parse, ct) =>
        {
            var outcome = await CliHost.RunAsync(s => s.GetRequiredService<DeliverySites>()
                .RotateAsync(Actor.CommandLine(), parse.GetRequiredValue(rotateName), TimeSpan.FromHours(parse.GetValue(overlap)), ct));
            return ShownOnce(outcome.Result, "Token", outcome.Value);
        });
        sites.Add(rotate);

        var revokeName = new Argument<string>("name");
        var revoke = new Command("revoke", "Revoke a site: all its tokens stop working.") { revokeName };
        revoke.SetAction(async (parse, ct) =>
            CmsCli.Report(await CliHost.RunAsync(s => s.GetRequiredService<DeliverySites>().RevokeAsync(Actor.CommandLine(), parse.GetRequiredValue(revokeName), ct))));
        sites.Add(revoke);

        var list = new Command("list", "Sites and their tokens (hints only).");
        list.SetAction(async (_, ct) =>
        {
            foreach (var site in await CliHost.RunAsync(s => s.GetRequiredService<DeliverySites>().ListAsync(ct)))
            {
                var tokens = string.Join(", ", site.Tokens.Select(t => t.Hint + (t.ExpiresAt is { } e ? $" until {e:u}" : "")));
                Console.WriteLine($"{site.Name}\t{(site.RevokedAt is null ? "active" : "revoked")}\t{tokens}");
            }
            return CmsCli.Ok;
        });
        sites.Add(list);
        return sites;
    }

    public static Command Webhooks()
    {
        var webhooks = new Command("webhooks", "Webhook endpoints (Standard Webhooks).");
        var url = new Argument<string>("url");
        var events = new Option<string[]>("--events")
        {
            Description = $"Comma- or space-separated among {string.Join(", ", DeliveryEvents.All)}",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = true,
            Required = true,
        };
        var add = new Command("add", "Add an endpoint and print its signing secret (shown once).") { url, events };
        add.SetAction(async (parse, ct) =>
        {
            var chosen = parse.GetRequiredValue(events).SelectMany(e => e.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
            var outcome = await CliHost.RunAsync(s => s.GetRequiredService<WebhookEndpoints>().AddAsync(Actor.CommandLine(), parse.GetRequiredValue(url), chosen, ct));
            return ShownOnce(outcome.Result, "Secret", outcome.Value.Secret);
        });
        webhooks.Add(add);

        var list = new Command("list", "Endpoints: id, state, events, URL, pending deliveries.");
        list.SetAction(async (_, ct) =>
        {
            foreach (var e in await CliHost.RunAsync(s => s.GetRequiredService<WebhookEndpoints>().ListAsync(ct)))
            {
                Console.WriteLine($"{e.Id}\t{(e.Enabled ? "enabled" : "disabled: " + e.DisabledReason)}\t{string.Join(",", e.Events)}\t{e.Url}\tpending {e.Pending}");
            }
            return CmsCli.Ok;
        });
        webhooks.Add(list);

        var rotateId = new Argument<long>("id");
        var overlap = OverlapHours("How long the old secret keeps signing too (hours, default 24).", WebhookEndpoints.DefaultOverlap);
        var rotate = new Command("rotate-secret", "New signing secret; both sign during the overlap.") { rotateId, overlap };
        rotate.SetAction(async (parse, ct) =>
        {
            var outcome = await CliHost.RunAsync(s => s.GetRequiredService<WebhookEndpoints>()
                .RotateSecretAsync(Actor.CommandLine(), parse.GetValue(rotateId), TimeSpan.FromHours(parse.GetValue(overlap)), ct));
            return ShownOnce(outcome.Result, "Secret", outcome.Value);
        });
        webhooks.Add(rotate);
        webhooks.Add(ById("disable", "Stop sending to an endpoint.", (w, id, ct) => w.DisableAsync(Actor.CommandLine(), id, ct)));
        webhooks.Add(ById("enable", "Resume sending to an endpoint (its pending deliveries first).", (w, id, ct) => w.EnableAsync(Actor.CommandLine(), id, ct)));
        webhooks.Add(ById("replay", "Send a delivery (by its id from `log`) again, with the same webhook-id.", (w, id, ct) => w.ReplayAsync(Actor.CommandLine(), id, ct)));

        var logId = new Argument<long>("id");
        var log = new Command("log", "The endpoint's latest deliveries and their last answers.") { logId };
        log.SetAction(async (parse, ct) =>
        {
            foreach (var d in await CliHost.RunAsync(s => s.GetRequiredService<WebhookEndpoints>().LogAsync(parse.GetValue(logId), ct)))
            {
                Console.WriteLine($"{d.Id}\t{d.MessageId}\t{d.EventType}\titem {d.ItemId} v{d.Version}\t{d.Status}\tattempts {d.Attempts}\t{d.LastStatusCode?.ToString() ?? "-"}\t{d.LastError}");
            }
            return CmsCli.Ok;
        });
        webhooks.Add(log);
        return webhooks;
    }

    // A token or secret is printed with the outcome, once: no command or page shows it again.
    private static int ShownOnce(Outcome outcome, string what, string? value)
    {
        if (!outcome.Succeeded)
        {
            return CmsCli.Report(outcome);
        }
        Console.WriteLine($"{outcome.Message} {what} (shown once): {value}");
        return CmsCli.Ok;
    }

    private static Command ById(string name, string description, Func<WebhookEndpoints, long, CancellationToken, Task<Outcome>> act)
    {
        var id = new Argument<long>("id");
        var command = new Command(name, description) { id };
        command.SetAction(async (parse, ct) =>
            CmsCli.Report(await CliHost.RunAsync(s => act(s.GetRequiredService<WebhookEndpoints>(), parse.GetValue(id), ct))));
        return command;
    }

    // Hours as a number the parser checks (NaN, infinities and values past the handlers' limit are
    // usage errors, not a TimeSpan overflow); the handlers check the range again for every caller.
    private static Option<double> OverlapHours(string description, TimeSpan byDefault)
    {
        var problem = $"--overlap-hours: a number of hours from 0 to {DeliverySites.MaxOverlap.TotalHours:F0}.";
        // Parsed here, not by the option's default converter: a value that is no number at all
        // ("abc") is the same usage error, never a validator reading a value that failed to convert
        // (an unhandled InvalidOperationException).
        return new Option<double>("--overlap-hours")
        {
            Description = description,
            DefaultValueFactory = _ => byDefault.TotalHours,
            CustomParser = result =>
            {
                if (result.Tokens is [var token] && double.TryParse(token.Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var hours)
                    && double.IsFinite(hours) && hours >= 0 && hours <= DeliverySites.MaxOverlap.TotalHours)
                {
                    return hours;
                }
                result.AddError(problem);
                return 0;
            },
        };
    }
}
