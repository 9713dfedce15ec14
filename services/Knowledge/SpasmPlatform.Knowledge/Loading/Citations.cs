using System.Collections;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using SpasmPlatform.Common.V1;

namespace SpasmPlatform.Knowledge.Loading;

/// <summary>Finds every <see cref="Citation"/> inside a message tree, whatever message holds it.</summary>
internal static class Citations
{
    public static IEnumerable<Citation> All(IMessage root)
    {
        var pending = new Stack<IMessage>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var message = pending.Pop();
            if (message is Citation citation)
            {
                yield return citation;
                continue;
            }

            foreach (var field in message.Descriptor.Fields.InFieldNumberOrder().Where(f => f.FieldType == FieldType.Message && !f.IsMap))
            {
                var value = field.Accessor.GetValue(message);
                if (field.IsRepeated)
                {
                    foreach (var item in (IList)value)
                    {
                        pending.Push((IMessage)item);
                    }
                }
                else if (value is IMessage child)
                {
                    pending.Push(child);
                }
            }
        }
    }
}
