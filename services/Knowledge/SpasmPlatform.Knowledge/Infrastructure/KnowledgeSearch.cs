using System.Text.Json;
using Npgsql;
using SpasmPlatform.Common.V1;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.Knowledge.Infrastructure;

/// <summary>
/// Ranked full-text search over one version's items (PostgreSQL, english configuration). Words are OR-ed: a
/// clinician's phrase rarely uses the knowledge base's exact words, so items are ranked first by how many of the
/// query's words they contain, then by ts_rank (title over keywords over body).
/// </summary>
internal sealed class KnowledgeSearch(NpgsqlDataSource dataSource, KnowledgeReadModel readModel)
{
    public async Task<IReadOnlyList<SearchHit>> SearchAsync(string version, string query, int limit, IReadOnlyCollection<SearchItemKind> kinds, CancellationToken cancellationToken)
    {
        var schema = readModel.Schema;
        await using var command = dataSource.CreateCommand(
            $"""
            WITH q AS (
                SELECT replace(plainto_tsquery('english', $2)::text, '&', '|')::tsquery AS query,
                       tsvector_to_array(to_tsvector('english', $2)) AS words)
            SELECT s.kind, s.code, s.title,
                   ts_headline('english', s.title || ' · ' || s.keywords || ' · ' || s.body, q.query,
                       'StartSel=[, StopSel=], MaxFragments=2, MaxWords=18, MinWords=6, FragmentDelimiter=" … "') AS snippet,
                   (SELECT count(*) FROM unnest(q.words) w WHERE s.document @@ quote_literal(w)::tsquery)
                       + ts_rank(s.document, q.query) AS rank,
                   s.sources::text
            FROM {schema}.search_items s, q
            WHERE s.knowledge_version = $1 AND numnode(q.query) > 0 AND s.document @@ q.query
              AND (cardinality($4::int[]) = 0 OR s.kind = ANY ($4::int[]))
            ORDER BY rank DESC, s.kind, s.code, s.item
            LIMIT $3
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = version });
        command.Parameters.Add(new NpgsqlParameter { Value = query });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        command.Parameters.Add(new NpgsqlParameter { Value = kinds.Select(k => (int)k).ToArray() });
        var hits = new List<SearchHit>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var hit = new SearchHit
            {
                Kind = (SearchItemKind)reader.GetInt32(0),
                Code = reader.GetString(1),
                Title = reader.GetString(2),
                Snippet = reader.GetString(3),
                Rank = Math.Round(reader.GetDouble(4), 6),
            };
            hit.Sources.Add(JsonSerializer.Deserialize<List<CitationRow>>(reader.GetString(5))!.Select(c => new Citation { SourceId = c.SourceId, Title = c.Title, Locator = c.Locator }));
            hits.Add(hit);
        }

        return hits;
    }

    private sealed record CitationRow(string SourceId, string Title, string Locator);
}
