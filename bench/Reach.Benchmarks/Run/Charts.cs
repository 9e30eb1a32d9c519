using ScottPlot;

namespace Reach.Benchmarks.Run;

/// <summary>Grouped bar charts of a run, as PNG files beside the report.</summary>
public static class Charts
{
    /// <summary>One group of bars per label, one bar per series in each group.</summary>
    public static void GroupedBars(string file, string title, string yLabel, IReadOnlyList<string> groups, IReadOnlyList<(string Name, double[] Values)> series)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var bars = new List<Bar>();
        var width = 0.8 / series.Count;
        for (var s = 0; s < series.Count; s++)
        {
            for (var g = 0; g < groups.Count; g++)
            {
                var value = series[s].Values[g];
                bars.Add(new Bar
                {
                    Position = g + ((s - ((series.Count - 1) / 2.0)) * width),
                    Value = double.IsFinite(value) ? value : 0,
                    Size = width * 0.9,
                    FillColor = palette.GetColor(s),
                    Label = double.IsFinite(value) ? Format(value) : "n/a",
                });
            }

            plot.Legend.ManualItems.Add(new LegendItem { LabelText = series[s].Name, FillColor = palette.GetColor(s) });
        }

        var barPlot = plot.Add.Bars(bars);
        barPlot.ValueLabelStyle.FontSize = 11;
        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, groups.Count).Select(i => (double)i)], [.. groups]);
        plot.Axes.Margins(bottom: 0, top: 0.15);
        plot.Title(title);
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(file, 900, 420);
    }

    private static string Format(double value) => value switch
    {
        >= 100 => value.ToString("#,0", System.Globalization.CultureInfo.InvariantCulture),
        >= 10 => value.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture),
    };
}
