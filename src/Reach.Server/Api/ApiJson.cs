using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Reach.Messaging;

namespace Reach.Server.Api;

/// <summary>
/// Serialization code generated at build time for what the hot endpoints read and write (a decision, a send), so
/// that they are not serialized by reflection; every other type still is. Same options as the rest of the API.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true)]
[JsonSerializable(typeof(DecisionJson))]
[JsonSerializable(typeof(SendRequest))]
[JsonSerializable(typeof(SendResult))]
[JsonSerializable(typeof(ReplyRequest))]
internal sealed partial class ApiJson : JsonSerializerContext;

/// <summary>
/// A 200 with a body written straight into the response's pipe by the generated serializer, in one synchronous pass
/// and one flush (a hot endpoint's answer; <see cref="TypedResults.Json{TValue}(TValue, JsonTypeInfo{TValue}, string?, int?)"/>
/// writes the same bytes through an asynchronous serializer made for bodies larger than a pipe's buffer).
/// </summary>
internal sealed class PipeJson<T>(T value, JsonTypeInfo<T> type) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.ContentType = "application/json; charset=utf-8";
        await using (var writer = new Utf8JsonWriter(response.BodyWriter))
        {
            JsonSerializer.Serialize(writer, value, type);
        }

        await response.BodyWriter.FlushAsync(httpContext.RequestAborted);
    }
}
