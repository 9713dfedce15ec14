# syntax=docker/dockerfile:1
#
# SpasmPlatform assessment service: gRPC (h2c) on port 5101.
# Build from the repository root (docker-compose.yml does this):
#   docker build -f deploy/docker/assessment.Dockerfile -t spasm-platform/assessment .

# The repository of Microsoft's .NET images (registry host and path, e.g. <registry>/dotnet): the repository names
# no registry, so the builder says where the images come from (docker-compose.yml passes SPASM_DOTNET_IMAGES).
ARG DOTNET_IMAGES

# ---- build: publish the service and the spasm CLI (used by the health check) --------
FROM ${DOTNET_IMAGES}/sdk:10.0 AS build
ENV DOTNET_NOLOGO=1 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
WORKDIR /src
# The whole context: .dockerignore keeps it to the sources the build needs.
COPY . .
RUN --mount=type=cache,id=spasm-nuget,target=/root/.nuget/packages \
    dotnet publish services/Assessment/SpasmPlatform.Assessment/SpasmPlatform.Assessment.csproj \
        -c Release -o /out/app -p:UseAppHost=false \
 && dotnet publish services/Tools/SpasmPlatform.Cli/SpasmPlatform.Cli.csproj \
        -c Release -o /out/cli -p:UseAppHost=false

# ---- runtime ----------------------------------------------------------------------
FROM ${DOTNET_IMAGES}/aspnet:10.0 AS runtime
# The service binds Kestrel itself from Grpc__BindAddress/Grpc__Port; the image's
# default ASPNETCORE_HTTP_PORTS=8080 would only add a conflicting URL, so clear it.
ENV ASPNETCORE_HTTP_PORTS="" \
    DOTNET_NOLOGO=1 \
    Grpc__BindAddress=0.0.0.0 \
    Grpc__Port=5101 \
    Grpc__HealthPort=9090
WORKDIR /app
COPY --from=build /out/app/ /app/
COPY --from=build /out/cli/ /app/cli/
# The non-root user that the .NET images define (APP_UID=1654).
USER $APP_UID
EXPOSE 5101 9090
# SERVING on the standard grpc.health.v1 service, asked with the spasm CLI on the cleartext health-only port
# (the service port wants mutual TLS).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=5 \
    CMD dotnet /app/cli/spasm-cli.dll health --address "http://127.0.0.1:${Grpc__HealthPort}"
ENTRYPOINT ["dotnet", "/app/SpasmPlatform.Assessment.dll"]
