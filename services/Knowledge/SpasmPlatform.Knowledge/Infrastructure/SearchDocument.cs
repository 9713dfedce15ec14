using SpasmPlatform.Common.V1;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.Knowledge.Infrastructure;

/// <summary>One searchable item: title weighs most, then the lay keywords, then the body.</summary>
internal sealed record SearchDocument(SearchItemKind Kind, string Code, string Item, string Title, string Keywords, string Body, IReadOnlyList<Citation> Sources);
