using System.Diagnostics;

namespace Reach;

/// <summary>
/// Reach's traces (activity source <c>Reach</c>): a span for each use case the hot paths run (<c>preflight</c>,
/// <c>send</c>, <c>reply</c>) and for each batch of statements (<c>db.batch</c>), under the request's span. They are
/// exported only when the server is started with <c>--otlp</c>; otherwise nothing listens and no span is made.
/// </summary>
public static class ReachActivity
{
    public const string SourceName = "Reach";

    public static readonly ActivitySource Source = new(SourceName);
}
