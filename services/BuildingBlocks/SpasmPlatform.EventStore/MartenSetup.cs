using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Services.Json.Transformations.SystemTextJson;
using Npgsql;
using SpasmPlatform.EventStore.Projections;
using SpasmPlatform.EventStore.Serialization;
using SpasmPlatform.EventStore.Streams;
using Weasel.Core;

namespace SpasmPlatform.EventStore;

/// <summary>How every service's Marten store is set up: one place, so the three services store events alike.</summary>
internal static class MartenSetup
{
    public static StoreOptions Options(NpgsqlDataSource dataSource, EventStoreOptions options)
    {
        var names = new EventTypeNames(options.Types);
        var marten = new StoreOptions();
        marten.Connection(dataSource);
        marten.DatabaseSchemaName = options.Schema;
        marten.Events.DatabaseSchemaName = options.Schema;
        marten.Events.StreamIdentity = StreamIdentity.AsString;
        // Quick appends (one statement, no per-event round trips), with the time chosen by the writer: the time an
        // append reports is then the time stored. Rich mode would leave tombstone events behind failed appends.
        marten.Events.AppendMode = EventAppendMode.QuickWithServerTimestamps;
        marten.Events.MetadataConfig.CorrelationIdEnabled = true;
        marten.Events.MetadataConfig.CausationIdEnabled = true;
        marten.Events.MetadataConfig.HeadersEnabled = true;
        marten.Events.MetadataConfig.UserNameEnabled = true;
        marten.UseSystemTextJsonForSerialization(configure: json => EventJson.Configure(json));
        foreach (var (type, name) in options.Types.Types)
        {
            marten.Events.MapEventType(type, name);
        }

        foreach (var upcast in options.Types.Upcasts)
        {
            marten.Events.Upcast(upcast.NewType, upcast.OldName, JsonTransformations.Upcast(upcast.Transform));
        }

        foreach (var projection in options.InlineProjections)
        {
            marten.Projections.Add(new InlineSqlProjection(projection, names), ProjectionLifecycle.Inline);
        }

        foreach (var aggregate in options.LiveAggregates)
        {
            aggregate(marten, names);
        }

        // Asynchronous projections (Marten's daemon): one instance of a service runs them, the others stand by. A gap
        // in the sequence is passed only once no live transaction can still fill it (transaction evidence; never the
        // "skip despite live transactions" cap, which loses the events of a slow transaction), so the threshold only
        // sets how soon the gap of a rolled-back or failed append stops holding projections back: about a second.
        marten.Projections.AsyncMode = DaemonMode.HotCold;
        marten.Projections.UseTransactionEvidenceForGapSkipping = true;
        marten.Projections.StaleSequenceThreshold = TimeSpan.FromSeconds(1);

        foreach (var configure in options.Marten)
        {
            configure(marten);
        }

        // The schema is brought up to date by EventStoreSchema at start-up, under a lock; sessions never migrate.
        marten.AutoCreateSchemaObjects = AutoCreate.None;
        return marten;
    }
}
