using System.Text.Json;
using Google.Protobuf;
using Npgsql;
using SpasmPlatform.EventStore.Projections;
using SpasmPlatform.EventStore.Streams;
using SpasmPlatform.Contracts.Versioning;
using SpasmPlatform.Knowledge.Domain;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.Knowledge.Infrastructure;

/// <summary>
/// Inline projection of published versions: the version list, the rule-set registry (one content per rule-set
/// version, enforced by its primary key in the publishing transaction) and the full-text search index.
/// </summary>
internal sealed class KnowledgeReadModel(string schema) : IInlineProjection
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    public string Schema => schema;

    /// <summary>Idempotent DDL; run at start-up before anything is published.</summary>
    public string CreateSql => $"""
        CREATE TABLE IF NOT EXISTS {schema}.knowledge_versions (
            version text PRIMARY KEY,
            major int NOT NULL, minor int NOT NULL, patch int NOT NULL, pre_release text NOT NULL,
            content_hash text NOT NULL,
            rule_set_version text NOT NULL,
            rule_set_hash text NOT NULL,
            published_at timestamptz NOT NULL,
            published_by text NOT NULL,
            description text NOT NULL,
            conditions int NOT NULL, interventions int NOT NULL, rules int NOT NULL);
        CREATE TABLE IF NOT EXISTS {schema}.rule_sets (
            version text PRIMARY KEY,
            content_hash text NOT NULL,
            first_knowledge_version text NOT NULL);
        CREATE TABLE IF NOT EXISTS {schema}.search_items (
            knowledge_version text NOT NULL,
            kind int NOT NULL,
            code text NOT NULL,
            item text NOT NULL,
            title text NOT NULL,
            keywords text NOT NULL,
            body text NOT NULL,
            sources jsonb NOT NULL,
            document tsvector GENERATED ALWAYS AS (
                setweight(to_tsvector('english', title), 'A') ||
                setweight(to_tsvector('english', keywords), 'B') ||
                setweight(to_tsvector('english', body), 'C')) STORED,
            PRIMARY KEY (knowledge_version, kind, code, item));
        CREATE INDEX IF NOT EXISTS search_items_document ON {schema}.search_items USING gin (document);
        """;

    public async Task ApplyAsync(NpgsqlConnection connection, IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken)
    {
        // Marten's session holds the connection inside the append's transaction; commands on it run in that transaction.
        NpgsqlTransaction? transaction = null;
        foreach (var stored in events.Where(e => e.EventType == KnowledgeVersionPublished.EventType))
        {
            var published = stored.Data<KnowledgeVersionPublished>();
            var knowledge = Parser.Parse<KnowledgeBase>(published.KnowledgeBase.GetRawText());
            await RegisterRuleSetAsync(connection, transaction, published, cancellationToken);
            await InsertVersionAsync(connection, transaction, stored, published, knowledge, cancellationToken);
            await IndexAsync(connection, transaction, published.Version, knowledge, cancellationToken);
        }
    }

    private async Task RegisterRuleSetAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, KnowledgeVersionPublished published, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"""
            WITH inserted AS (
                INSERT INTO {schema}.rule_sets (version, content_hash, first_knowledge_version) VALUES ($1, $2, $3)
                ON CONFLICT (version) DO NOTHING
                RETURNING content_hash)
            SELECT content_hash FROM inserted
            UNION ALL
            SELECT content_hash FROM {schema}.rule_sets WHERE version = $1
            LIMIT 1
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = published.RuleSetVersion });
        command.Parameters.Add(new NpgsqlParameter { Value = published.RuleSetHash });
        command.Parameters.Add(new NpgsqlParameter { Value = published.Version });
        var stored = (string?)await command.ExecuteScalarAsync(cancellationToken);
        if (stored is null)
        {
            // Inserted by a concurrent publish this statement's snapshot cannot see yet.
            throw new KnowledgeConflictException($"Rule set {published.RuleSetVersion} is being published concurrently; retry.");
        }

        if (stored != published.RuleSetHash)
        {
            // Thrown inside the append's transaction, so the whole publish rolls back.
            throw new KnowledgeConflictException($"Rule set {published.RuleSetVersion} is already published with other rules ({stored}); give changed rules a new rule-set version.");
        }
    }

    private async Task InsertVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, StoredEvent stored, KnowledgeVersionPublished published, KnowledgeBase knowledge, CancellationToken cancellationToken)
    {
        SemanticVersion.TryParse(published.Version, out var semver);
        var rules = knowledge.RuleSet.RedFlagRules.Count + knowledge.RuleSet.CauseRules.Count + knowledge.RuleSet.SafetyNet.Count
            + knowledge.RuleSet.FollowUp.Count + (knowledge.RuleSet.StartBack is null ? 0 : 1) + (knowledge.RuleSet.Ng65 is null ? 0 : 1);
        await using var command = new NpgsqlCommand(
            $"""
            INSERT INTO {schema}.knowledge_versions (version, major, minor, patch, pre_release, content_hash, rule_set_version, rule_set_hash,
                published_at, published_by, description, conditions, interventions, rules)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
            ON CONFLICT (version) DO NOTHING
            """, connection, transaction);
        foreach (var value in new object[]
        {
            published.Version, semver.Major, semver.Minor, semver.Patch, semver.PreRelease, published.ContentHash, published.RuleSetVersion,
            published.RuleSetHash, stored.RecordedAt, published.PublishedBy, published.Description, knowledge.Conditions.Count,
            knowledge.Interventions.Count, rules,
        })
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task IndexAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string version, KnowledgeBase knowledge, CancellationToken cancellationToken)
    {
        var batch = new NpgsqlBatch(connection, transaction);
        await using (batch)
        {
            foreach (var item in SearchDocuments.Of(knowledge))
            {
                var command = new NpgsqlBatchCommand(
                    $"""
                    INSERT INTO {schema}.search_items (knowledge_version, kind, code, item, title, keywords, body, sources)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb) ON CONFLICT DO NOTHING
                    """);
                foreach (var value in new object[] { version, (int)item.Kind, item.Code, item.Item, item.Title, item.Keywords, item.Body, JsonSerializer.Serialize(item.Sources.Select(c => new { c.SourceId, c.Title, c.Locator })) })
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = value });
                }

                batch.BatchCommands.Add(command);
            }

            if (batch.BatchCommands.Count > 0)
            {
                await batch.ExecuteNonQueryAsync(cancellationToken);
            }
        }
    }
}
