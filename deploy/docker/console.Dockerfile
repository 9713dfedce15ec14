# syntax=docker/dockerfile:1
#
# SpasmPlatform web console: HTTPS on port 5104, a gRPC client of the three services.
# Build from the repository root (docker-compose.yml does this):
#   docker build -f deploy/docker/console.Dockerfile -t spasm-platform/console .

# The repository of Microsoft's .NET images (registry host and path, e.g. <registry>/dotnet): the repository names
# no registry, so the builder says where the images come from (docker-compose.yml passes SPASM_DOTNET_IMAGES).
ARG DOTNET_IMAGES

FROM ${DOTNET_IMAGES}/sdk:10.0 AS build
ENV DOTNET_NOLOGO=1 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
WORKDIR /src
COPY . .
RUN --mount=type=cache,id=spasm-nuget,target=/root/.nuget/packages \
    dotnet publish services/Console/SpasmPlatform.Console/SpasmPlatform.Console.csproj \
        -c Release -o /out/app -p:UseAppHost=false

FROM ${DOTNET_IMAGES}/aspnet:10.0 AS runtime
# The console binds Kestrel itself from Console__BindAddress/Console__Port (HTTPS only).
ENV ASPNETCORE_HTTP_PORTS="" \
    DOTNET_NOLOGO=1 \
    Console__BindAddress=0.0.0.0 \
    Console__Port=5104
WORKDIR /app
COPY --from=build /out/app/ /app/
# The key ring's mount point, owned by the app user so a fresh named volume starts writable for it.
RUN mkdir /keyring && chown "$APP_UID" /keyring
USER $APP_UID
EXPOSE 5104
# The console asks its own /healthz over loopback (the image has no curl).
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=5 \
    CMD dotnet /app/SpasmPlatform.Console.dll probe "https://127.0.0.1:${Console__Port}"
ENTRYPOINT ["dotnet", "/app/SpasmPlatform.Console.dll"]
