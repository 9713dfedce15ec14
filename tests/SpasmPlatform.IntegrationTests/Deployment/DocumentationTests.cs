using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.IntegrationTests.Deployment;

/// <summary>
/// Keeps the documentation honest: the README stays short, every relative link (and heading anchor) resolves, no
/// tracked file names a package or image registry host, every shell example names a command that exists (./spasm's
/// own list, spasm-cli's commands and options as its --help prints them, scripts and projects in the tree), and every
/// code example is copied from the file it names in its first line.
/// </summary>
public sealed partial class DocumentationTests
{
    private const int ReadmeLimitBytes = 12 * 1024;

    private static readonly string CliDll = Path.Combine(Platform.RepoRoot, "services", "Tools", "SpasmPlatform.Cli", "bin", Platform.BuildConfiguration, "net10.0", "spasm-cli.dll");

    /// <summary>
    /// Registry hosts, each written as its labels so that this file does not name one either. Image names such as
    /// <c>postgres:15</c> carry no host and are not matched.
    /// </summary>
    private static readonly string[][] RegistryHosts =
    [
        ["nuget", "org"], ["npmjs", "org"], ["npmjs", "com"], ["yarnpkg", "com"], ["pypi", "org"], ["pythonhosted", "org"],
        ["deb", "debian", "org"], ["security", "debian", "org"], ["archive", "ubuntu", "com"], ["docker", "io"],
        ["ghcr", "io"], ["mcr", "microsoft", "com"], ["quay", "io"], ["gcr", "io"], ["registry", "k8s", "io"],
        ["crates", "io"], ["proxy", "golang", "org"], ["rubygems", "org"], ["repo1", "maven", "org"], ["repo", "maven", "apache", "org"],
    ];

    /// <summary>The documents a newcomer is sent to: the README, docs/ and the READMEs it links for benches, fuzzing and deployment.</summary>
    public static TheoryData<string> Documents()
    {
        var data = new TheoryData<string>();
        foreach (var path in DocumentPaths())
        {
            data.Add(path);
        }

        return data;
    }

    private static IEnumerable<string> DocumentPaths() =>
        new[] { "README.md", "bench/README.md", "tests/fuzz/README.md", "deploy/README.md" }
            .Concat(Directory.GetFiles(Path.Combine(Platform.RepoRoot, "docs"), "*.md").Select(f => Path.GetRelativePath(Platform.RepoRoot, f).Replace('\\', '/')))
            .Order(StringComparer.Ordinal);

    [Fact]
    public void The_readme_fits_in_twelve_kilobytes()
    {
        var size = new FileInfo(Path.Combine(Platform.RepoRoot, "README.md")).Length;
        Assert.True(size < ReadmeLimitBytes, $"README.md is {size} bytes; keep it under {ReadmeLimitBytes} and move detail into docs/.");
    }

    /// <summary>
    /// The README's Layout block names folders by indentation (two spaces a level, a trailing slash); each must exist,
    /// and every folder at the top of the repository, of services/ and of services/BuildingBlocks/ must be named.
    /// </summary>
    [Fact]
    public async Task The_readme_layout_matches_the_tree()
    {
        var readme = Read("README.md");
        var layout = CodeBlocks(readme[readme.IndexOf("## Layout", StringComparison.Ordinal)..]).First().Lines;
        var named = new HashSet<string>(StringComparer.Ordinal);
        var parents = new List<string>();
        foreach (var line in layout.Where(l => l.Trim().Length > 0))
        {
            var depth = (line.Length - line.TrimStart().Length) / 2;
            var entry = line.Trim().Split(' ')[0];
            parents.RemoveRange(Math.Min(depth, parents.Count), parents.Count - Math.Min(depth, parents.Count));
            var path = string.Join('/', parents.Append(entry.TrimEnd('/')));
            named.Add(path);
            if (entry.EndsWith('/'))
            {
                parents.Add(entry.TrimEnd('/'));
            }
        }

        var tracked = await TrackedFilesAsync();
        var missing = named.Where(p => !File.Exists(Path.Combine(Platform.RepoRoot, p)) && !Directory.Exists(Path.Combine(Platform.RepoRoot, p))).ToList();
        var folders = tracked.Select(f => f.Split('/')).SelectMany(parts => new[]
            {
                parts.Length > 1 ? parts[0] : null,
                parts.Length > 2 && parts[0] == "services" ? $"services/{parts[1]}" : null,
                parts.Length > 3 && parts[0] == "services" && parts[1] == "BuildingBlocks" ? $"services/BuildingBlocks/{parts[2]}" : null,
            })
            .OfType<string>().Distinct().ToList();
        var unnamed = folders.Where(f => !named.Contains(f) && !named.Any(n => n.StartsWith(f + "/", StringComparison.Ordinal))).Order(StringComparer.Ordinal).ToList();

        Assert.True(missing.Count == 0, "the README's layout names what does not exist: " + string.Join(", ", missing));
        Assert.True(unnamed.Count == 0, "folders the README's layout leaves out: " + string.Join(", ", unnamed));
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_relative_link_resolves_to_a_file_and_heading(string document)
    {
        var problems = new List<string>();
        var directory = Path.GetDirectoryName(Path.Combine(Platform.RepoRoot, document))!;
        foreach (Match link in Link().Matches(OutsideCodeBlocks(Read(document))))
        {
            var target = link.Groups["target"].Value;
            if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
            {
                continue;
            }

            var hash = target.IndexOf('#', StringComparison.Ordinal);
            var path = hash < 0 ? target : target[..hash];
            var anchor = hash < 0 ? null : target[(hash + 1)..];
            var file = path.Length == 0 ? Path.Combine(Platform.RepoRoot, document) : Path.GetFullPath(Path.Combine(directory, path));
            if (!File.Exists(file) && !Directory.Exists(file))
            {
                problems.Add($"{target}: {Path.GetRelativePath(Platform.RepoRoot, file)} does not exist");
            }
            else if (anchor is not null && !HeadingAnchors(File.ReadAllText(file)).Contains(anchor))
            {
                problems.Add($"{target}: no heading with the anchor #{anchor}");
            }
        }

        Assert.True(problems.Count == 0, $"{document}:\n  " + string.Join("\n  ", problems));
    }

    [Fact]
    public async Task No_tracked_file_names_a_registry_host()
    {
        var hosts = RegistryHosts.Select(labels => string.Join('.', labels)).ToArray();
        var found = new List<string>();
        foreach (var file in await TrackedFilesAsync())
        {
            var full = Path.Combine(Platform.RepoRoot, file);
            if (!File.Exists(full))
            {
                continue;
            }

            var bytes = await File.ReadAllBytesAsync(full);
            if (Array.IndexOf(bytes, (byte)0) >= 0)
            {
                continue;
            }

            var lines = Encoding.UTF8.GetString(bytes).Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                found.AddRange(hosts.Where(h => lines[i].Contains(h, StringComparison.OrdinalIgnoreCase)).Select(h => $"{file}:{i + 1}: {h}"));
            }
        }

        Assert.True(found.Count == 0, "registry hosts in tracked files:\n  " + string.Join("\n  ", found));
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public async Task Every_shell_example_names_a_command_that_exists(string document)
    {
        var spasmCommands = await SpasmCommandsAsync();
        var problems = new List<string>();
        foreach (var (line, words) in ShellCommands(Read(document)))
        {
            var problem = await CheckAsync(words, spasmCommands);
            if (problem is not null)
            {
                problems.Add($"`{line}`: {problem}");
            }
        }

        Assert.True(problems.Count == 0, $"{document}:\n  " + string.Join("\n  ", problems));
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_code_example_is_copied_from_the_file_its_first_line_names(string document)
    {
        var problems = new List<string>();
        foreach (var (language, lines) in CodeBlocks(Read(document)).Where(b => b.Language is "csharp" or "cs" or "python" or "js" or "javascript"))
        {
            var source = SourceComment().Match(lines.FirstOrDefault() ?? string.Empty);
            if (!source.Success)
            {
                problems.Add($"a {language} example does not start with a comment naming the file it is copied from");
                continue;
            }

            var path = Path.Combine(Platform.RepoRoot, source.Groups["path"].Value);
            if (!File.Exists(path))
            {
                problems.Add($"{source.Groups["path"].Value} does not exist");
                continue;
            }

            var text = File.ReadAllText(path);
            problems.AddRange(lines.Skip(1).Select(l => l.Trim()).Where(l => l.Length > 0 && !text.Contains(l, StringComparison.Ordinal))
                .Select(l => $"not in {source.Groups["path"].Value}: {l}"));
        }

        Assert.True(problems.Count == 0, $"{document}:\n  " + string.Join("\n  ", problems));
    }

    /// <summary>Why the command cannot run as written, or null when it names something that exists.</summary>
    private static async Task<string?> CheckAsync(IReadOnlyList<string> words, IReadOnlySet<string> spasmCommands)
    {
        var start = 0;
        while (start < words.Count && Assignment().IsMatch(words[start]))
        {
            start++;
        }

        if (start == words.Count)
        {
            return null;
        }

        var command = words.Skip(start).ToList();
        string? Exists(string relative) =>
            File.Exists(Path.Combine(Platform.RepoRoot, relative)) || Directory.Exists(Path.Combine(Platform.RepoRoot, relative)) ? null : $"{relative} does not exist";

        switch (command[0])
        {
            case "./spasm":
                return command.Count > 1 && spasmCommands.Contains(command[1]) ? null : $"./spasm has no command '{(command.Count > 1 ? command[1] : string.Empty)}' (see ./spasm help)";
            case "spasm-cli":
                return await CheckCliAsync(command.Skip(1).ToList());
            case "dotnet" when command.Count > 1 && command[1].EndsWith("/spasm-cli.dll", StringComparison.Ordinal):
                return await CheckCliAsync(command.Skip(2).ToList());
            case "dotnet" when command.Count > 2 && command[1] is "test" or "build":
                return Exists(command[2]);
            case "bash" when command.Count > 1:
                return Exists(command[1]);
            case "." or "source":
                return command.Count == 2 && command[1] == ".spasm/env" ? null : "only .spasm/env is sourced in the docs";
            case "export":
                return command.Skip(1).All(Assignment().IsMatch) ? null : "export with something other than NAME=value";
            case "alias":
                // The docs call the CLI `spasm-cli`: the alias must point at the build output of the project that makes spasm-cli.dll.
                return command.Count == 2 && command[1].StartsWith("spasm-cli=dotnet ", StringComparison.Ordinal)
                    && command[1].EndsWith("/services/Tools/SpasmPlatform.Cli/bin/Release/net10.0/spasm-cli.dll", StringComparison.Ordinal)
                    && File.ReadAllText(Path.Combine(Platform.RepoRoot, "services", "Tools", "SpasmPlatform.Cli", "SpasmPlatform.Cli.csproj")).Contains("<AssemblyName>spasm-cli</AssemblyName>", StringComparison.Ordinal)
                    ? null : "the only alias the docs define is spasm-cli, for the CLI's Release build";
            case "docker":
                return command.Count > 2 && command[1] == "compose" && command.Skip(2).First(w => !w.StartsWith('-')) is "up" or "down" or "ps" or "logs" or "build"
                    ? null : "docker is used as `docker compose up|down|ps|logs|build` only";
            case "kubectl":
                return command.Count > 3 && command[1] == "apply" && command[2] == "-f" ? Exists(command[3]) : "kubectl is used as `kubectl apply -f PATH` only";
            case "grpcurl":
                return null;
            default:
                return $"'{command[0]}' is not a command these docs know (./spasm, spasm-cli, dotnet test/build, bash SCRIPT, docker compose, kubectl apply, grpcurl)";
        }
    }

    private static readonly Dictionary<string, Task<(int Code, string Output, string Error)>> CliHelp = new(StringComparer.Ordinal);

    /// <summary>The command path (up to two plain words) must be the one spasm-cli's help prints, and each option one it lists.</summary>
    private static async Task<string?> CheckCliAsync(IReadOnlyList<string> arguments)
    {
        var path = arguments.TakeWhile(a => CliWord().IsMatch(a)).Take(2).ToArray();
        if (path.Length == 0)
        {
            return "spasm-cli without a command";
        }

        var key = string.Join(' ', path);
        Task<(int Code, string Output, string Error)> help;
        lock (CliHelp)
        {
            if (!CliHelp.TryGetValue(key, out help!))
            {
                Assert.True(File.Exists(CliDll), $"{CliDll} is missing: build the solution first.");
                CliHelp[key] = help = SpasmCli.RunAsync([.. path, "--help"]);
            }
        }

        var (code, output, error) = await help;
        if (code != 0 || !output.Split('\n').Any(l => l.Trim() == $"spasm-cli {key}" || l.Trim().StartsWith($"spasm-cli {key} ", StringComparison.Ordinal)))
        {
            return $"spasm-cli has no command '{key}'{(error.Length > 0 ? ": " + error.Trim() : string.Empty)}";
        }

        var unknown = arguments.Where(a => a.StartsWith("--", StringComparison.Ordinal)).Select(a => a.Split('=')[0])
            .Where(option => !Regex.IsMatch(output, $@"(^|[\s,]){Regex.Escape(option)}(\s|,|$)", RegexOptions.Multiline)).ToList();
        return unknown.Count == 0 ? null : $"spasm-cli {key} has no option {string.Join(", ", unknown)}";
    }

    /// <summary>The commands `./spasm help` lists.</summary>
    private static async Task<IReadOnlySet<string>> SpasmCommandsAsync()
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(Platform.RepoRoot, "spasm"), "help"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, process.ExitCode);
        var commands = output[(output.IndexOf("Commands:", StringComparison.Ordinal) + "Commands:".Length)..];
        return HelpCommand().Matches(commands).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Each command line of the sh/bash/console/shell blocks (continuations joined, prompts and comments removed), split into words.</summary>
    private static IEnumerable<(string Line, IReadOnlyList<string> Words)> ShellCommands(string markdown)
    {
        foreach (var (_, lines) in CodeBlocks(markdown).Where(b => b.Language is "sh" or "bash" or "console" or "shell"))
        {
            var pending = new StringBuilder();
            foreach (var raw in lines)
            {
                var line = raw.TrimEnd();
                if (line.EndsWith('\\'))
                {
                    pending.Append(line[..^1]).Append(' ');
                    continue;
                }

                pending.Append(line);
                var whole = pending.ToString().Trim();
                pending.Clear();
                if (whole.StartsWith("$ ", StringComparison.Ordinal))
                {
                    whole = whole[2..];
                }

                var words = Words(whole);
                if (words.Count > 0)
                {
                    yield return (whole, words);
                }
            }
        }
    }

    /// <summary>Shell words: quotes group and are removed, a word starting with # begins a comment.</summary>
    private static List<string> Words(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char? quote = null;
        foreach (var c in line)
        {
            if (quote is not null)
            {
                if (c == quote)
                {
                    quote = null;
                }
                else
                {
                    word.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
            }
            else if (c == '#' && !inWord)
            {
                break;
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }

    private static IEnumerable<(string Language, List<string> Lines)> CodeBlocks(string markdown)
    {
        string? language = null;
        List<string>? lines = null;
        foreach (var line in markdown.Split('\n'))
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                if (lines is null)
                {
                    language = line[3..].Trim();
                    lines = [];
                }
                else
                {
                    yield return (language!, lines);
                    lines = null;
                }
            }
            else
            {
                lines?.Add(line);
            }
        }
    }

    private static string OutsideCodeBlocks(string markdown)
    {
        var text = new StringBuilder();
        var inBlock = false;
        foreach (var line in markdown.Split('\n'))
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inBlock = !inBlock;
            }
            else if (!inBlock)
            {
                text.AppendLine(InlineCode().Replace(line, string.Empty));
            }
        }

        return text.ToString();
    }

    /// <summary>The anchors a markdown renderer gives the headings: lower case, punctuation dropped, spaces as hyphens.</summary>
    private static HashSet<string> HeadingAnchors(string markdown) =>
        OutsideCodeBlocksKeepingCode(markdown).Split('\n').Where(l => l.StartsWith('#'))
            .Select(l => l.TrimStart('#').Trim().ToLowerInvariant())
            .Select(h => Regex.Replace(h, @"[^\p{L}\p{N} _-]", string.Empty).Replace(' ', '-'))
            .ToHashSet(StringComparer.Ordinal);

    private static string OutsideCodeBlocksKeepingCode(string markdown)
    {
        var text = new StringBuilder();
        var inBlock = false;
        foreach (var line in markdown.Split('\n'))
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inBlock = !inBlock;
            }
            else if (!inBlock)
            {
                text.Append(line).Append('\n');
            }
        }

        return text.ToString();
    }

    private static async Task<string[]> TrackedFilesAsync()
    {
        var start = new ProcessStartInfo("git", ["ls-files", "-z"]) { WorkingDirectory = Platform.RepoRoot, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(process.ExitCode == 0, "git ls-files failed: " + await process.StandardError.ReadToEndAsync());
        return output.Split('\0', StringSplitOptions.RemoveEmptyEntries);
    }

    private static string Read(string document) => File.ReadAllText(Path.Combine(Platform.RepoRoot, document));

    [GeneratedRegex(@"\[[^\]]*\]\((?<target>[^)\s]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex("`[^`]*`")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*=")]
    private static partial Regex Assignment();

    [GeneratedRegex(@"^[a-z][a-z-]*$")]
    private static partial Regex CliWord();

    [GeneratedRegex(@"^  ([a-z][a-z-]*)\b", RegexOptions.Multiline)]
    private static partial Regex HelpCommand();

    [GeneratedRegex(@"^\s*(?://|#)\s*(?<path>[\w./-]+\.\w+)\s*$")]
    private static partial Regex SourceComment();
}
