namespace SpasmPlatform.Grpc.Client;

/// <summary>A call the channel must end when it is disposed: HttpClient's disposal alone does not stop a response already streaming.</summary>
internal interface IChannelCall
{
    void OnChannelDisposed();
}
