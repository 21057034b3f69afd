using Microsoft.Extensions.Configuration;

namespace Cms.Application.Outbound;

// Setting `Outbound:AllowPrivateNetworks` (environment Outbound__AllowPrivateNetworks): false in
// production, so webhooks and link checks cannot be pointed at the machine itself or its network;
// tests and local receivers turn it on.
public sealed class OutboundOptions
{
    public bool AllowPrivateNetworks { get; init; }

    public static OutboundOptions From(IConfiguration configuration) =>
        new() { AllowPrivateNetworks = configuration.GetValue("Outbound:AllowPrivateNetworks", false) };
}
