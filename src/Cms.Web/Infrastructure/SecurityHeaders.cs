namespace Cms.Web.Infrastructure;

public static class SecurityHeaders
{
    // No inline scripts or styles anywhere; images come from outlets, over https only (an http image
    // would be mixed content and trackable in transit; data: URIs are never needed), and pages send
    // no referrer.
    public static HeaderPolicyCollection Policy() => new HeaderPolicyCollection()
        .AddDefaultSecurityHeaders()
        .AddReferrerPolicyNoReferrer()
        .AddContentSecurityPolicy(csp =>
        {
            csp.AddDefaultSrc().Self();
            csp.AddScriptSrc().Self();
            csp.AddStyleSrc().Self();
            csp.AddImgSrc().Self().From("https:");
            csp.AddObjectSrc().None();
            csp.AddBaseUri().Self();
            csp.AddFormAction().Self();
            csp.AddFrameAncestors().None();
        });
}
