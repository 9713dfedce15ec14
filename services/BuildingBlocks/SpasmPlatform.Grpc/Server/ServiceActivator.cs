using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace SpasmPlatform.Grpc.Server;

/// <summary>
/// Gets the service instance for a call: from DI when registered (DI owns it), otherwise created per call
/// with constructor injection and disposed when the call ends. Decided once at start-up.
/// </summary>
internal sealed class ServiceActivator<TService>
    where TService : class
{
    private readonly IServiceProvider _root;
    private readonly bool _registered;
    private readonly bool _needsRequestServices;
    private readonly ObjectFactory? _factory;

    public ServiceActivator(IServiceProvider services)
    {
        _root = services;
        _registered = services.GetService<IServiceProviderIsService>()?.IsService(typeof(TService)) ?? false;
        if (!_registered)
        {
            _factory = ActivatorUtilities.CreateFactory(typeof(TService), Type.EmptyTypes);
        }

        // Reading HttpContext.RequestServices creates a DI scope; a service with nothing to inject does not need one.
        _needsRequestServices = _registered || typeof(TService).GetConstructors().Any(c => c.GetParameters().Length > 0);
    }

    /// <summary>True when instances are ours to dispose.</summary>
    public bool OwnsInstances => !_registered && (typeof(IDisposable).IsAssignableFrom(typeof(TService)) || typeof(IAsyncDisposable).IsAssignableFrom(typeof(TService)));

    public TService Create(HttpContext http)
    {
        if (!_needsRequestServices)
        {
            return (TService)_factory!(_root, null);
        }

        return _registered ? http.RequestServices.GetRequiredService<TService>() : (TService)_factory!(http.RequestServices, null);
    }

    /// <summary>Runs <paramref name="work"/> on an instance for this call, disposing it afterwards when it is ours.</summary>
    public async Task<T> RunAsync<T>(HttpContext http, Func<TService, Task<T>> work)
    {
        var service = Create(http);
        try
        {
            return await work(service).ConfigureAwait(false);
        }
        finally
        {
            if (OwnsInstances)
            {
                await ReleaseAsync(service).ConfigureAwait(false);
            }
        }
    }

    public Task RunAsync(HttpContext http, Func<TService, Task> work) =>
        RunAsync(http, async service =>
        {
            await work(service).ConfigureAwait(false);
            return true;
        });

    public static ValueTask ReleaseAsync(TService instance)
    {
        switch (instance)
        {
            case IAsyncDisposable asyncDisposable:
                return asyncDisposable.DisposeAsync();
            case IDisposable disposable:
                disposable.Dispose();
                return ValueTask.CompletedTask;
            default:
                return ValueTask.CompletedTask;
        }
    }
}
