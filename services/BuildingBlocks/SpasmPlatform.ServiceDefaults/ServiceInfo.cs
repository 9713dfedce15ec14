namespace SpasmPlatform.ServiceDefaults;

/// <summary>Who a host is: its name (logs, telemetry, database schema) and the port it listens on by default.</summary>
public sealed record ServiceInfo(string Name, int DefaultPort);
