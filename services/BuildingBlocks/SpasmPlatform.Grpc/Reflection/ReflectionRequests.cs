using V1 = Grpc.Reflection.V1;
using V1Alpha = Grpc.Reflection.V1Alpha;

namespace SpasmPlatform.Grpc.Reflection;

/// <summary>
/// Copies of reflection requests holding only the declared fields. Re-parsing the client's bytes instead would meet
/// its unknown fields again: groups nested to exactly the parser's recursion limit are accepted when a message is
/// read but refused when they are skipped, so the copy must not go through the parser.
/// </summary>
internal static class ReflectionRequests
{
    public static V1Alpha.ServerReflectionRequest KnownFields(V1Alpha.ServerReflectionRequest request)
    {
        var copy = new V1Alpha.ServerReflectionRequest { Host = request.Host };
        switch (request.MessageRequestCase)
        {
            case V1Alpha.ServerReflectionRequest.MessageRequestOneofCase.FileByFilename:
                copy.FileByFilename = request.FileByFilename;
                break;
            case V1Alpha.ServerReflectionRequest.MessageRequestOneofCase.FileContainingSymbol:
                copy.FileContainingSymbol = request.FileContainingSymbol;
                break;
            case V1Alpha.ServerReflectionRequest.MessageRequestOneofCase.FileContainingExtension:
                copy.FileContainingExtension = new V1Alpha.ExtensionRequest
                {
                    ContainingType = request.FileContainingExtension.ContainingType,
                    ExtensionNumber = request.FileContainingExtension.ExtensionNumber,
                };
                break;
            case V1Alpha.ServerReflectionRequest.MessageRequestOneofCase.AllExtensionNumbersOfType:
                copy.AllExtensionNumbersOfType = request.AllExtensionNumbersOfType;
                break;
            case V1Alpha.ServerReflectionRequest.MessageRequestOneofCase.ListServices:
                copy.ListServices = request.ListServices;
                break;
        }

        return copy;
    }

    public static V1Alpha.ServerReflectionRequest FromV1(V1.ServerReflectionRequest request)
    {
        var copy = new V1Alpha.ServerReflectionRequest { Host = request.Host };
        switch (request.MessageRequestCase)
        {
            case V1.ServerReflectionRequest.MessageRequestOneofCase.FileByFilename:
                copy.FileByFilename = request.FileByFilename;
                break;
            case V1.ServerReflectionRequest.MessageRequestOneofCase.FileContainingSymbol:
                copy.FileContainingSymbol = request.FileContainingSymbol;
                break;
            case V1.ServerReflectionRequest.MessageRequestOneofCase.FileContainingExtension:
                copy.FileContainingExtension = new V1Alpha.ExtensionRequest
                {
                    ContainingType = request.FileContainingExtension.ContainingType,
                    ExtensionNumber = request.FileContainingExtension.ExtensionNumber,
                };
                break;
            case V1.ServerReflectionRequest.MessageRequestOneofCase.AllExtensionNumbersOfType:
                copy.AllExtensionNumbersOfType = request.AllExtensionNumbersOfType;
                break;
            case V1.ServerReflectionRequest.MessageRequestOneofCase.ListServices:
                copy.ListServices = request.ListServices;
                break;
        }

        return copy;
    }
}
