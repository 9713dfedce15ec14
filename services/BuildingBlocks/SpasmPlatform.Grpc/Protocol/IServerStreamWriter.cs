namespace SpasmPlatform.Grpc.Protocol;

public interface IServerStreamWriter<in T> : IAsyncStreamWriter<T>;
