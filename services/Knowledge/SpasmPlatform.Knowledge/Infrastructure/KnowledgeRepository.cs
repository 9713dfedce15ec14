using System.Collections.Concurrent;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Npgsql;
using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Outbox;
using SpasmPlatform.EventStore.Serialization;
using SpasmPlatform.EventStore.Streams;
using SpasmPlatform.Contracts.Versioning;
using SpasmPlatform.Knowledge.Domain;
using SpasmPlatform.Knowledge.Loading;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.Knowledge.Infrastructure;

/// <summary>
/// Published knowledge versions: each is one event in its own stream (expected "no stream", so a version is
/// written once), projected inline into the version list and search index, announced through the outbox.
/// Content is immutable once published, so a loaded version is cached for good.
/// </summary>
internal sealed class KnowledgeRepository(
    MartenEventStore store,
    NpgsqlDataSource dataSource,
    KnowledgeReadModel readModel,
    IntegrationMessageTypes messageTypes,
    TimeProvider clock)
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true));
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    private readonly ConcurrentDictionary<string, KnowledgeBase> _content = new(StringComparer.Ordinal);

    public async Task<(KnowledgeVersion Version, bool Duplicate)> PublishAsync(
        KnowledgeBase knowledge, IReadOnlyList<ContentFileText> files, string publishedBy, string correlationId, CancellationToken cancellationToken)
    {
        var version = knowledge.Manifest.Version;
        for (var attempt = 0; ; attempt++)
        {
            var existing = await FindVersionAsync(version, cancellationToken);
            if (existing is not null)
            {
                return existing.ContentHash == knowledge.ContentHash
                    ? (existing, true)
                    : throw new KnowledgeConflictException($"Knowledge version {version} is already published with other content ({existing.ContentHash}); publish changed content under a new version.");
            }

            var stored = new KnowledgeVersionPublished(
                version, knowledge.ContentHash, knowledge.RuleSet.Version, knowledge.RuleSet.ContentHash, publishedBy,
                knowledge.Manifest.Description, JsonDocument.Parse(Formatter.Format(knowledge)).RootElement.Clone(), files);
            var eventId = Guid.CreateVersion7();
            var metadata = new EventMetadata(CorrelationId: correlationId, Actor: publishedBy);
            var announcement = new Integration.KnowledgeVersionPublished(
                Guid.CreateVersion7(), correlationId, version, knowledge.ContentHash, knowledge.RuleSet.Version, knowledge.RuleSet.ContentHash,
                clock.GetUtcNow(), publishedBy);
            try
            {
                await store.AppendAsync(
                    KnowledgeVersionStream.Id(version), KnowledgeVersionStream.StreamType, ExpectedVersion.NoStream,
                    [new NewEvent(eventId, KnowledgeVersionPublished.EventType, stored, metadata)],
                    [messageTypes.Create(announcement, KnowledgeVersionStream.Id(version))],
                    cancellationToken);
            }
            catch (ConcurrencyException) when (attempt == 0)
            {
                // Another instance published this version at the same moment: compare with what it stored.
                continue;
            }

            _content[version] = knowledge;
            return (await FindVersionAsync(version, cancellationToken)
                ?? throw new InvalidOperationException($"Version {version} was appended but is not in the version list."), false);
        }
    }

    /// <summary>Every published version, newest (highest semantic version) first.</summary>
    public async Task<IReadOnlyList<KnowledgeVersion>> ListVersionsAsync(CancellationToken cancellationToken) =>
        await QueryVersionsAsync(string.Empty, [], cancellationToken);

    public async Task<KnowledgeVersion?> FindVersionAsync(string version, CancellationToken cancellationToken) =>
        (await QueryVersionsAsync("WHERE version = $1", [version], cancellationToken)).FirstOrDefault();

    /// <summary>The newest knowledge version that carries rule-set <paramref name="ruleSetVersion"/>.</summary>
    public async Task<KnowledgeVersion?> FindByRuleSetAsync(string ruleSetVersion, CancellationToken cancellationToken) =>
        (await QueryVersionsAsync("WHERE rule_set_version = $1", [ruleSetVersion], cancellationToken)).FirstOrDefault();

    /// <summary>The content of <paramref name="version"/>, read from its event and checked against its hash.</summary>
    public async Task<KnowledgeBase> LoadAsync(string version, CancellationToken cancellationToken)
    {
        if (_content.TryGetValue(version, out var cached))
        {
            return cached;
        }

        var events = await store.ReadStreamAsync(KnowledgeVersionStream.Id(version), cancellationToken: cancellationToken);
        var stored = events.FirstOrDefault(e => e.EventType == KnowledgeVersionPublished.EventType)?.Data<KnowledgeVersionPublished>()
            ?? throw new KnowledgeNotFoundException($"Knowledge version '{version}' is not published.");
        var knowledge = Parser.Parse<KnowledgeBase>(stored.KnowledgeBase.GetRawText());
        if (ContentHash.Of(knowledge) != stored.ContentHash || knowledge.ContentHash != stored.ContentHash)
        {
            // Serving altered clinical content would be worse than serving none.
            throw new InvalidOperationException($"Knowledge version {version} does not match its content hash {stored.ContentHash}; refusing to serve it.");
        }

        return _content.GetOrAdd(version, knowledge);
    }

    private async Task<IReadOnlyList<KnowledgeVersion>> QueryVersionsAsync(string where, object[] parameters, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            SELECT version, content_hash, rule_set_version, rule_set_hash, published_at, published_by, description, conditions, interventions, rules
            FROM {readModel.Schema}.knowledge_versions {where}
            ORDER BY major DESC, minor DESC, patch DESC, pre_release = '' DESC, pre_release DESC
            """);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        var versions = new List<KnowledgeVersion>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            versions.Add(new KnowledgeVersion
            {
                Version = reader.GetString(0),
                ContentHash = reader.GetString(1),
                RuleSetVersion = reader.GetString(2),
                RuleSetHash = reader.GetString(3),
                PublishedAt = Timestamp.FromDateTime(reader.GetFieldValue<DateTime>(4)),
                PublishedBy = reader.GetString(5),
                Description = reader.GetString(6),
                Conditions = reader.GetInt32(7),
                Interventions = reader.GetInt32(8),
                Rules = reader.GetInt32(9),
            });
        }

        // SQL orders pre-releases by text; semver orders their numeric parts numerically.
        return versions
            .OrderByDescending(v => SemanticVersion.TryParse(v.Version, out var s) ? s : null)
            .ToList();
    }
}
