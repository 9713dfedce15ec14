using System.Security.Cryptography;
using Npgsql;
using SpasmPlatform.IntegrationTests.Infrastructure;
using SpasmPlatform.Privacy;

namespace SpasmPlatform.IntegrationTests.Privacy;

/// <summary>The key table on a real PostgreSQL: generations, erasure (also ahead of the key), the master key, concurrent first use.</summary>
public sealed class PatientKeyStoreTests : IAsyncLifetime
{
    private readonly string _schema = $"keys_it_{Guid.NewGuid():N}"[..24];
    private readonly MasterKey _master = MasterKey.Generate();
    private NpgsqlDataSource _dataSource = null!;
    private ClinicalNotesVault _vault = null!;

    private PatientKeyStore Keys => _vault.Keys;

    public async Task InitializeAsync()
    {
        _dataSource = NpgsqlDataSource.Create(Platform.Postgres);
        await using (var create = _dataSource.CreateCommand($"CREATE SCHEMA {_schema}"))
        {
            await create.ExecuteNonQueryAsync();
        }

        _vault = new ClinicalNotesVault(new PatientKeyStore(_schema, _master), _dataSource);
        await _vault.EnsureSchemaAsync(CancellationToken.None);
        await _vault.EnsureSchemaAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await using (var drop = _dataSource.CreateCommand($"DROP SCHEMA IF EXISTS {_schema} CASCADE"))
        {
            await drop.ExecuteNonQueryAsync();
        }

        await _dataSource.DisposeAsync();
    }

    [Fact]
    public async Task Notes_sealed_before_an_erasure_stay_erased_and_new_notes_get_the_next_generation()
    {
        var before = await SealAsync("clinic-1", "patient-1", "a-1", "first notes");
        var other = await SealAsync("clinic-1", "patient-2", "a-2", "someone else's notes");
        Assert.Equal(1, before.KeyGeneration);

        var erasure = await InTransactionAsync((c, t) => Keys.EraseAsync(c, t, "clinic-1", "patient-1", null, CancellationToken.None));
        var after = await SealAsync("clinic-1", "patient-1", "a-3", "notes after the erasure");
        var again = await InTransactionAsync((c, t) => Keys.EraseAsync(c, t, "clinic-1", "patient-1", 1, CancellationToken.None));

        Assert.Equal([1], erasure.DestroyedGenerations);
        Assert.Equal(1, erasure.ThroughGeneration);
        Assert.Empty(again.DestroyedGenerations);
        Assert.Equal(2, after.KeyGeneration);
        var readings = await _vault.OpenAsync(
            [
                new SealedNotesRef("clinic-1", "patient-1", "a-1", before.Format()),
                new SealedNotesRef("clinic-1", "patient-2", "a-2", other.Format()),
                new SealedNotesRef("clinic-1", "patient-1", "a-3", after.Format()),
                new SealedNotesRef("clinic-1", "patient-1", "a-4", null),
            ],
            CancellationToken.None);
        Assert.Equal(
            [NotesReading.WasErased, new NotesReading("someone else's notes", false), new NotesReading("notes after the erasure", false), NotesReading.None],
            readings);
    }

    [Fact]
    public async Task An_erasure_that_arrives_before_the_key_covers_its_generation_but_not_later_ones()
    {
        await InTransactionAsync((c, t) => Keys.EraseAsync(c, t, "clinic-1", "patient-early", 2, CancellationToken.None));

        var first = await InTransactionAsync((c, t) => Keys.ForGenerationAsync(c, t, "clinic-1", "patient-early", 1, CancellationToken.None));
        var second = await InTransactionAsync((c, t) => Keys.ForGenerationAsync(c, t, "clinic-1", "patient-early", 2, CancellationToken.None));
        var third = await InTransactionAsync((c, t) => Keys.ForGenerationAsync(c, t, "clinic-1", "patient-early", 3, CancellationToken.None));
        var thirdAgain = await InTransactionAsync((c, t) => Keys.ForGenerationAsync(c, t, "clinic-1", "patient-early", 3, CancellationToken.None));

        Assert.Null(first);
        Assert.Null(second);
        Assert.NotNull(third);
        Assert.Equal(third.Key, thirdAgain!.Key);
    }

    [Fact]
    public async Task Keys_wrapped_under_another_master_key_are_refused_not_misread()
    {
        var notes = await SealAsync("clinic-1", "patient-3", "a-5", "notes");
        var otherVault = new ClinicalNotesVault(new PatientKeyStore(_schema, MasterKey.Generate()), _dataSource);

        await Assert.ThrowsAsync<NotesKeyMismatchException>(() => otherVault.OpenAsync(new SealedNotesRef("clinic-1", "patient-3", "a-5", notes.Format()), CancellationToken.None));
        Assert.Equal("notes", (await _vault.OpenAsync(new SealedNotesRef("clinic-1", "patient-3", "a-5", notes.Format()), CancellationToken.None)).Text);
    }

    [Fact]
    public async Task Notes_moved_to_another_record_or_altered_in_the_database_do_not_open()
    {
        var notes = await SealAsync("clinic-1", "patient-4", "a-6", "notes");
        await SealAsync("clinic-1", "patient-5", "a-7", "more notes");
        var bytes = (byte[])notes.Bytes.Clone();
        bytes[20] ^= 0x01;

        await Assert.ThrowsAnyAsync<CryptographicException>(() => _vault.OpenAsync(new SealedNotesRef("clinic-1", "patient-4", "a-other", notes.Format()), CancellationToken.None));
        await Assert.ThrowsAnyAsync<CryptographicException>(() => _vault.OpenAsync(new SealedNotesRef("clinic-1", "patient-5", "a-6", notes.Format()), CancellationToken.None));
        await Assert.ThrowsAnyAsync<CryptographicException>(() => _vault.OpenAsync(new SealedNotesRef("clinic-1", "patient-4", "a-6", (notes with { Bytes = bytes }).Format()), CancellationToken.None));
        await Assert.ThrowsAsync<PatientKeyMissingException>(() => _vault.OpenAsync(new SealedNotesRef("clinic-1", "patient-4", "a-6", (notes with { KeyGeneration = 7 }).Format()), CancellationToken.None));
    }

    [Fact]
    public async Task Concurrent_first_notes_of_one_patient_share_one_key()
    {
        var sealedNotes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => SealAsync("clinic-1", "patient-busy", $"a-busy-{i}", $"notes {i}"))));

        Assert.All(sealedNotes, n => Assert.Equal(1, n.KeyGeneration));
        var readings = await _vault.OpenAsync([.. sealedNotes.Select((n, i) => new SealedNotesRef("clinic-1", "patient-busy", $"a-busy-{i}", n.Format()))], CancellationToken.None);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"notes {i}"), readings.Select(r => r.Text));
        await using var count = _dataSource.CreateCommand($"SELECT count(*) FROM {_schema}.patient_keys WHERE patient_ref = 'patient-busy'");
        Assert.Equal(1L, await count.ExecuteScalarAsync());
    }

    private Task<SealedNotes> SealAsync(string clinic, string patient, string assessmentId, string text) =>
        InTransactionAsync(async (c, t) => (await _vault.SealAsync(c, t, clinic, patient, assessmentId, text, CancellationToken.None))!);

    private async Task<T> InTransactionAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var result = await work(connection, transaction);
        await transaction.CommitAsync();
        return result;
    }
}
