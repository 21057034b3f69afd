namespace Cms.Web.Infrastructure;

// `AllowedHosts`: the configured host names (default: loopback only) plus the hosts the app was
// told to listen on (`./cms run`'s CMS_URLS), so a plain `./cms run` answers on its own address
// while a forged `Host` header gets 400 instead of being echoed into redirects. Wildcard binding
// addresses (0.0.0.0, [::], *, +) name no host and add nothing; a configured `*` stays `*`.
public static class AllowedHosts
{
    public const string Key = "AllowedHosts";

    public static string With(string? configured, string urls)
    {
        var hosts = Split(configured);
        if (hosts.Contains("*"))
        {
            return "*";
        }
        foreach (var url in Split(urls))
        {
            var host = BindingAddress.Parse(url).Host;
            if (host is not ("*" or "+" or "0.0.0.0" or "[::]" or "::" or "") && !hosts.Contains(host, StringComparer.OrdinalIgnoreCase))
            {
                hosts.Add(host);
            }
        }
        return string.Join(';', hosts);
    }

    private static List<string> Split(string? list) =>
        (list ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
