namespace SpasmPlatform.Fuzzing;

/// <summary>
/// Builds one hostile request for an RPC from its seeds: a message mutation, a framing mutation and a metadata
/// mutation, each on or off, at least one on. Depends only on the random source, never on earlier responses.
/// </summary>
public static class RequestFactory
{
    /// <summary>The deadline every request carries unless a mutation replaces it (Watch-like streams would never end).</summary>
    public static string DefaultTimeout(FuzzTarget target) => target.ServerStreams ? "250m" : "30S";

    public static HostileRequest Create(Random random, FuzzTarget target, IReadOnlyList<byte[]> seeds, bool allowTinyDeadlines)
    {
        var mutateMessage = random.Next(10) < 6;
        var mutateFrame = random.Next(10) < 4;
        var mutateMetadata = random.Next(10) < 3;
        if (!mutateMessage && !mutateFrame && !mutateMetadata)
        {
            mutateMessage = true;
        }

        var mutations = new List<string>();
        var seed = seeds.Count > 0 ? seeds[random.Next(seeds.Count)] : [];
        var messages = new List<byte[]>();
        var count = target.ClientStreams ? random.Next(1, 4) : 1;
        for (var i = 0; i < count; i++)
        {
            if (mutateMessage && (i == count - 1 || random.Next(2) == 0))
            {
                var (name, bytes) = MessageMutator.Mutate(random, target.Input, seed);
                mutations.Add(name);
                messages.Add(bytes);
            }
            else
            {
                messages.Add(seed);
            }
        }

        var (frameName, body, headers) = FrameMutator.Apply(random, messages, mutateFrame);
        if (frameName is not null)
        {
            mutations.Add(frameName);
        }

        var (httpMethod, contentType, expectation) = ("POST", (string?)"application/grpc", RequestExpectation.Grpc);
        var timeout = DefaultTimeout(target);
        if (mutateMetadata)
        {
            var outcome = MetadataMutator.Apply(random, headers, allowTinyDeadlines || !target.MayWrite);
            mutations.Add(outcome.Name);
            (httpMethod, contentType, expectation) = (outcome.HttpMethod, outcome.ContentType, outcome.Expectation);
        }

        if (!headers.Any(h => h.Key == "grpc-timeout"))
        {
            headers.Add(new("grpc-timeout", timeout));
        }

        headers.Add(new("te", "trailers"));
        return new HostileRequest(httpMethod, target.Path, contentType, headers, body, mutations, expectation);
    }

    /// <summary>A seed sent as is: the valid request the mutations start from.</summary>
    public static HostileRequest Valid(FuzzTarget target, byte[] message) =>
        new("POST", target.Path, "application/grpc", [new("grpc-timeout", DefaultTimeout(target)), new("te", "trailers")], [Framing.Frame(message)], ["seed"]);
}
