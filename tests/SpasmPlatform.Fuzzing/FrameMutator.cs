namespace SpasmPlatform.Fuzzing;

/// <summary>Hostile message framing: lying lengths, compressed flags without (or with unknown) encodings, truncation.</summary>
public static class FrameMutator
{
    public const int ReceiveLimit = 4 * 1024 * 1024;

    private static readonly string[] UnknownEncodings = ["br", "snappy", "x-garbage", "gzip, deflate", "GZIP", "identity;q=0", "deflate\t", "*"];

    /// <summary>The body chunks for <paramref name="messages"/>, and headers the framing needs (grpc-encoding).</summary>
    public static (string? Name, List<byte[]> Body, List<KeyValuePair<string, string>> Headers) Apply(Random random, IReadOnlyList<byte[]> messages, bool mutate)
    {
        var headers = new List<KeyValuePair<string, string>>();
        if (!mutate)
        {
            return (null, [.. messages.Select(m => Framing.Frame(m))], headers);
        }

        var last = messages[^1];
        var rest = messages.Take(messages.Count - 1).Select(m => Framing.Frame(m)).ToList();
        string name;
        byte[] tail;
        switch (random.Next(17))
        {
            case 0:
                name = "length-near-2^32";
                tail = Framing.Frame(last, declaredLength: uint.MaxValue - (uint)random.Next(0, 16));
                break;
            case 1:
                name = "length-2^31";
                tail = Framing.Frame(last, declaredLength: 0x8000_0000u + (uint)random.Next(-2, 3));
                break;
            case 2:
                name = "length-over-4MiB";
                tail = Framing.Frame(last, declaredLength: (uint)(ReceiveLimit + random.Next(1, 1024)));
                break;
            case 3:
                name = "length-off-by-some";
                tail = Framing.Frame(last, declaredLength: (uint)Math.Max(0, last.Length + random.Next(-3, 4)));
                break;
            case 4:
                name = "truncated-mid-prefix";
                tail = Framing.Frame(last)[..random.Next(1, 5)];
                break;
            case 5:
                name = "truncated-mid-message";
                tail = Framing.Frame(last)[..(5 + (last.Length == 0 ? 0 : random.Next(last.Length)))];
                if (last.Length == 0)
                {
                    tail = Framing.Frame([0x08], declaredLength: 2)[..6];
                }

                break;
            case 6:
                name = "compressed-flag-without-encoding";
                tail = Framing.Frame(random.Next(2) == 0 ? last : Framing.Gzip(last), flag: 1);
                break;
            case 7:
                name = "compressed-flag-garbage";
                tail = Framing.Frame(last, flag: (byte)random.Next(2, 256));
                break;
            case 8:
                name = "gzip-not-compressed";
                headers.Add(new("grpc-encoding", "gzip"));
                tail = Framing.Frame([.. HostileValues.RandomBytes(random, 3), .. last], flag: 1);
                break;
            case 9:
                name = "gzip-bomb";
                headers.Add(new("grpc-encoding", "gzip"));
                tail = Framing.Frame(Framing.Gzip(new byte[ReceiveLimit + random.Next(1, 4 * ReceiveLimit)]), flag: 1);
                break;
            case 10:
                name = "gzip-valid";
                headers.Add(new("grpc-encoding", "gzip"));
                tail = Framing.Frame(Framing.Gzip(last), flag: 1);
                break;
            case 11:
                name = "unknown-encoding";
                headers.Add(new("grpc-encoding", UnknownEncodings[random.Next(UnknownEncodings.Length)]));
                tail = Framing.Frame(last, flag: (byte)random.Next(2));
                break;
            case 12:
                name = "empty-body";
                return (name, [], headers);
            case 13:
                name = "extra-message";
                tail = [.. Framing.Frame(last), .. Framing.Frame(last)];
                break;
            case 14:
                name = "trailing-garbage";
                tail = [.. Framing.Frame(last), .. HostileValues.RandomBytes(random, random.Next(1, 40))];
                break;
            case 15 when random.Next(8) == 0:
                name = "real-message-over-4MiB";
                tail = Framing.Frame(HostileValues.RandomBytes(random, ReceiveLimit + random.Next(1, 100)));
                break;
            default:
                name = "split-frames";
                tail = Framing.Frame(last);
                break;
        }

        var body = rest.SelectMany(m => m).Concat(tail).ToArray();
        return (name, Framing.Split(random, body), headers);
    }
}
