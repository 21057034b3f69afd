namespace Cms.Web.Infrastructure;

public static class SecurityHeaders
{
    // No inline scripts or styles anywhere; images come from outlets over http(s), so img-src is open
    // to those schemes only and pages send no referrer.
    public static HeaderPolicyCollection Policy() => new HeaderPolicyCollection()
        .AddDefaultSecurityHeaders()
        .AddReferrerPolicyNoReferrer()
        .AddContentSecurityPolicy(csp =>
        {
            csp.AddDefaultSrc().Self();
            csp.AddScriptSrc().Self();
            csp.AddStyleSrc().Self();
            csp.AddImgSrc().Self().From("https:").From("http:").Data();
            csp.AddObjectSrc().None();
            csp.AddBaseUri().Self();
            csp.AddFormAction().Self();
            csp.AddFrameAncestors().None();
        });
}
