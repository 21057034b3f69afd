# Build with the SDK, run on the ASP.NET runtime image as a non-root user.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props Cms.sln .editorconfig ./
COPY src/Cms.Core/Cms.Core.csproj src/Cms.Core/
COPY src/Cms.Data/Cms.Data.csproj src/Cms.Data/
COPY src/Cms.Web/Cms.Web.csproj src/Cms.Web/
COPY migrations/Cms.Migrations/Cms.Migrations.csproj migrations/Cms.Migrations/
RUN dotnet restore src/Cms.Web/Cms.Web.csproj
COPY src/ src/
COPY migrations/ migrations/
RUN dotnet publish src/Cms.Web/Cms.Web.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
COPY samples/ /app/samples/
# DOTNET_GCgen0size: the web host's 64 MiB gen0 budget, as `./cms run` sets it (README "The web
# host's GC").
ENV ASPNETCORE_ENVIRONMENT=Production \
    CMS_URLS=http://0.0.0.0:8080 \
    DOTNET_GCgen0size=0x4000000
EXPOSE 8080
# The audit anchors' volume (docker-compose.yml) takes this folder's owner when first created.
RUN mkdir -p /var/lib/cms/audit-anchors && chown app /var/lib/cms/audit-anchors
USER app
# `run` ensures the admin account and loads the samples on first start; the migrations are applied
# before, as the schema's owner (`migrate`, the compose file's one-shot service).
ENTRYPOINT ["dotnet", "Cms.Web.dll", "run", "--samples", "/app/samples"]
