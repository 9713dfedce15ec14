namespace SpasmPlatform.IntegrationTests.Messaging;

/// <summary>A test-only message; MassTransit routes by namespace and type name, so it needs both.</summary>
public sealed record PingSent(Guid PingId, string ClinicId);
