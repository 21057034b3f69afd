using System.Net;
using Cms.Application.Outbound;

namespace Cms.Application.Tests;

// The outbound guard's address rules (webhooks now, link checks later): no database needed.
public sealed class OutboundGuardTests
{
    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.0.9", "loopback")]
    [InlineData("10.0.0.1", "private")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.255", "private")]
    [InlineData("192.168.0.10", "private")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("100.64.0.1", "carrier-grade")]
    [InlineData("0.0.0.0", "this network")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("::1", "loopback")]
    [InlineData("::", "unspecified")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("fd00::1", "unique local")]
    [InlineData("::ffff:10.0.0.1", "private")]
    [InlineData("64:ff9b::a00:1", "private")]
    [InlineData("2002:7f00:1::", "loopback")]
    [InlineData("64:ff9b:1::a00:1", "private")]
    [InlineData("64:ff9b:1::7f00:1", "loopback")]
    [InlineData("64:ff9b:1:a00:1::", "cannot be told")]
    [InlineData("::10.0.0.1", "private")]
    [InlineData("::127.0.0.1", "loopback")]
    [InlineData("::169.254.169.254", "link-local")]
    [InlineData("::ffff:0:10.0.0.1", "private")]
    [InlineData("::ffff:0:127.0.0.1", "loopback")]
    public void Non_public_addresses_are_named(string address, string kind)
    {
        Assert.Contains(kind, OutboundGuard.Classify(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("172.32.0.1")]
    [InlineData("8.8.8.8")]
    [InlineData("2606:4700::1111")]
    [InlineData("64:ff9b:1::808:808")]
    [InlineData("::8.8.8.8")]
    [InlineData("::ffff:0:8.8.8.8")]
    public void Public_addresses_pass(string address)
    {
        Assert.Null(OutboundGuard.Classify(IPAddress.Parse(address)));
    }

    [Fact]
    public void Allowing_private_networks_lets_a_loopback_URL_through()
    {
        Assert.NotNull(OutboundGuard.ProblemWith("http://127.0.0.1:8080/hook", new OutboundOptions()));
        Assert.Null(OutboundGuard.ProblemWith("http://127.0.0.1:8080/hook", new OutboundOptions { AllowPrivateNetworks = true }));
    }
}
