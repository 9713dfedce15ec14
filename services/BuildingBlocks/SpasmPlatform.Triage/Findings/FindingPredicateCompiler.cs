using System.Linq.Expressions;
using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Google.Protobuf.Reflection;

namespace SpasmPlatform.Triage.Findings;

/// <summary>
/// Turns a parsed predicate into a delegate over the generated C# properties, so evaluating it reads fields
/// directly instead of boxing every value through protobuf reflection. Same semantics as the parse: an absent
/// message or proto3 optional on the path never matches.
/// </summary>
internal static class FindingPredicateCompiler
{
    private static readonly MethodInfo ContainsAnyMethod = typeof(FindingPredicateCompiler).GetMethod(nameof(ContainsAny), BindingFlags.NonPublic | BindingFlags.Static)!;

    public static Func<IMessage, bool> Compile(FieldDescriptor[] fields, FindingOperator op, double number, int[] enumValues)
    {
        var input = Expression.Parameter(typeof(IMessage), "submission");
        var root = fields[0].ContainingType.ClrType;
        var variables = new List<ParameterExpression>();
        var current = Expression.Variable(root, "m0");
        variables.Add(current);
        var body = new List<Expression> { Expression.Assign(current, Expression.Convert(input, root)) };
        var returnLabel = Expression.Label(typeof(bool), "result");

        for (var i = 0; i < fields.Length - 1; i++)
        {
            var next = Expression.Variable(fields[i].MessageType.ClrType, $"m{i + 1}");
            variables.Add(next);
            body.Add(Expression.Assign(next, Expression.Property(current, fields[i].PropertyName)));
            body.Add(Expression.IfThen(Expression.Equal(next, Expression.Constant(null, next.Type)), Expression.Return(returnLabel, Expression.Constant(false))));
            current = next;
        }

        var leaf = fields[^1];
        if (leaf.HasPresence && !leaf.IsRepeated && leaf.FieldType != FieldType.Message)
        {
            // proto3 optional: the generated Has<Name> tells an absent vital from a zero one.
            body.Add(Expression.IfThen(Expression.Not(Expression.Property(current, "Has" + leaf.PropertyName)), Expression.Return(returnLabel, Expression.Constant(false))));
        }

        var value = Expression.Property(current, leaf.PropertyName);
        body.Add(Expression.Label(returnLabel, Leaf(value, leaf, op, number, enumValues)));
        var lambda = Expression.Lambda<Func<IMessage, bool>>(Expression.Block(variables, body), input);
        return lambda.Compile();
    }

    private static Expression Leaf(MemberExpression value, FieldDescriptor leaf, FindingOperator op, double number, int[] enumValues)
    {
        switch (op)
        {
            case FindingOperator.IsSet:
                return leaf.FieldType == FieldType.Bool ? value : Expression.NotEqual(value, Expression.Constant(null, value.Type));
            case FindingOperator.Contains:
                var elementType = value.Type.GetGenericArguments()[0];
                return Expression.Call(ContainsAnyMethod.MakeGenericMethod(elementType), value, Expression.Constant(enumValues));
            case FindingOperator.In:
                var asInt = Expression.Convert(value, typeof(int));
                return enumValues.Select(v => (Expression)Expression.Equal(asInt, Expression.Constant(v))).Aggregate(Expression.OrElse);
        }

        if (leaf.FieldType == FieldType.Enum)
        {
            var actual = Expression.Convert(value, typeof(int));
            var expected = Expression.Constant(enumValues[0]);
            return op == FindingOperator.Equal ? Expression.Equal(actual, expected) : Expression.NotEqual(actual, expected);
        }

        var left = Expression.Convert(value, typeof(double));
        var right = Expression.Constant(number);
        return op switch
        {
            FindingOperator.Equal => Expression.Equal(left, right),
            FindingOperator.NotEqual => Expression.NotEqual(left, right),
            FindingOperator.Less => Expression.LessThan(left, right),
            FindingOperator.LessOrEqual => Expression.LessThanOrEqual(left, right),
            FindingOperator.Greater => Expression.GreaterThan(left, right),
            _ => Expression.GreaterThanOrEqual(left, right),
        };
    }

    private static bool ContainsAny<T>(RepeatedField<T> values, int[] wanted)
        where T : struct, Enum
    {
        // Generated protobuf enums are int-backed, so reading the value as an int neither boxes nor converts.
        foreach (var item in values)
        {
            if (Array.IndexOf(wanted, System.Runtime.CompilerServices.Unsafe.As<T, int>(ref System.Runtime.CompilerServices.Unsafe.AsRef(in item))) >= 0)
            {
                return true;
            }
        }

        return false;
    }
}
