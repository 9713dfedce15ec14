namespace SpasmPlatform.Grpc.Protocol;

public interface IClientStreamWriter<in T> : IAsyncStreamWriter<T>
{
    /// <summary>Half-closes the request stream: the server sees the end of client messages.</summary>
    Task CompleteAsync();
}
