using System.Text.Json;
using System.Text.Json.Serialization;
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
