using Microsoft.Extensions.Configuration;

namespace Cms.Application.Notifications;

// Notifications:* settings. E-mail is off unless Notifications:Email:Host is set and Enabled is true.
public sealed class NotificationOptions
{
    public bool EmailEnabled { get; init; }
    public string? SmtpHost { get; init; }
    public int SmtpPort { get; init; } = 25;
    public string Sender { get; init; } = "cms@localhost";
    public string? SmtpUser { get; init; }
    public string? SmtpPassword { get; init; }

    // Starts TLS when the server offers it (MailKit's StartTlsWhenAvailable); "None" never does.
    public bool RequireTls { get; init; }
    public TimeSpan DigestInterval { get; init; } = TimeSpan.FromMinutes(15);
    public int DigestMaxPerPerson { get; init; } = 50;
    public int DigestMaxPeople { get; init; } = 200;

    // Where links in e-mails point (the back office as people reach it).
    public string? PublicUrl { get; init; }

    public static NotificationOptions From(IConfiguration configuration)
    {
        var s = configuration.GetSection("Notifications:Email");
        var options = new NotificationOptions
        {
            EmailEnabled = s.GetValue("Enabled", false),
            SmtpHost = s["Host"],
            SmtpPort = s.GetValue("Port", 25),
            Sender = s["From"] ?? "cms@localhost",
            SmtpUser = s["User"],
            SmtpPassword = s["Password"],
            RequireTls = s.GetValue("RequireTls", false),
            DigestInterval = TimeSpan.FromMinutes(s.GetValue("DigestMinutes", 15.0)),
            PublicUrl = s["PublicUrl"],
        };
        if (options.EmailEnabled && string.IsNullOrWhiteSpace(options.SmtpHost))
        {
            throw new InvalidOperationException("Notifications:Email:Enabled is true but Notifications:Email:Host is not set.");
        }
        if (options.DigestInterval <= TimeSpan.Zero)
        {
            throw new InvalidOperationException("Notifications:Email:DigestMinutes must be positive.");
        }
        return options;
    }
}
