using Cms.Testing;

namespace Cms.Web.Tests.Skeleton;

public class LocalPortsTests
{
    [Fact]
    public void Ports_handed_out_in_one_process_are_never_handed_out_again()
    {
        // 3,000 draws from ~28,000 ephemeral ports: without the memory the kernel repeats one
        // almost surely (birthday bound), which is how two servers of one fixture could collide.
        var ports = Enumerable.Range(0, 3000).Select(_ => LocalPorts.Free()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.All(ports, p => Assert.InRange(p, 1024, 65535));
    }
}
