using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Google.Protobuf;

namespace SpasmPlatform.Fuzzing;

/// <summary>
/// tests/fuzz/corpus/&lt;package.Service&gt;/&lt;Method&gt;/: seed-*.json are valid requests in the proto JSON mapping (with
/// {{placeholders}} a fixture fills in, e.g. ids of data it created), finding-*.request.json are inputs that once
/// produced a finding, replayed on every run.
/// </summary>
public sealed class Corpus(string directory, IReadOnlyDictionary<string, string>? placeholders = null)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string Directory => directory;

    public static string MethodDirectory(string root, FuzzTarget target) => System.IO.Path.Combine(root, target.Service, target.Method.Name);

    /// <summary>The encoded seeds of one RPC (none: the fuzzer starts from the empty message and forged ones).</summary>
    public List<byte[]> Seeds(FuzzTarget target)
    {
        var folder = MethodDirectory(directory, target);
        if (!System.IO.Directory.Exists(folder))
        {
            return [];
        }

        var parser = new JsonParser(JsonParser.Settings.Default);
        return System.IO.Directory.GetFiles(folder, "seed-*.json")
            .Order(StringComparer.Ordinal)
            .Select(file => parser.Parse(Fill(File.ReadAllText(file), file), target.Input).ToByteArray())
            .ToList();
    }

    /// <summary>Every stored finding of one RPC, as requests to replay.</summary>
    public List<HostileRequest> Regressions(FuzzTarget target)
    {
        var folder = MethodDirectory(directory, target);
        return !System.IO.Directory.Exists(folder)
            ? []
            : System.IO.Directory.GetFiles(folder, "finding-*.request.json")
                .Order(StringComparer.Ordinal)
                .Select(file => JsonSerializer.Deserialize<CorpusEntry>(File.ReadAllText(file), Json)!.ToRequest())
                .ToList();
    }

    /// <summary>Writes a finding under <paramref name="root"/>; returns the file. Named by content, so a repeat overwrites itself.</summary>
    public static string Save(string root, FuzzTarget target, Finding finding)
    {
        var folder = MethodDirectory(root, target);
        System.IO.Directory.CreateDirectory(folder);
        var entry = CorpusEntry.From(finding);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", entry.Body) + string.Join("\n", entry.Headers.Select(h => h[0] + h[1])) + entry.ContentType + entry.HttpMethod)))[..16];
        var file = System.IO.Path.Combine(folder, $"finding-{hash}.request.json");
        File.WriteAllText(file, JsonSerializer.Serialize(entry, Json));
        return file;
    }

    private string Fill(string text, string file)
    {
        foreach (var (name, value) in placeholders ?? new Dictionary<string, string>())
        {
            text = text.Replace("{{" + name + "}}", value, StringComparison.Ordinal);
        }

        return text.Contains("{{", StringComparison.Ordinal)
            ? throw new InvalidOperationException($"{file} names a placeholder this fixture does not provide.")
            : text;
    }
}
