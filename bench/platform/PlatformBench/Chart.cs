using System.Globalization;
using System.Net;
using System.Text;

namespace SpasmPlatform.Bench.Platform;

/// <summary>
/// chart.svg: throughput (top) and latency percentiles (bottom) per concurrency level of the closed-loop submit runs.
/// Written by hand: a few polylines on two log-scaled panels are a screenful of SVG, so no charting package (and no
/// dependency for every reader of the repository to restore) is needed. Log scales, because the ceilings run one to
/// two orders of magnitude above the service and p99 above p50.
/// </summary>
internal static class Chart
{
    private const int Width = 760;
    private const int PanelHeight = 260;
    private const int Left = 70;
    private const int Right = 190;
    private const int Top = 40;
    private const int Gap = 70;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Render(IReadOnlyList<ChartPoint> points, int[] rawBatches, int instances, bool mutualTls)
    {
        var svg = new StringBuilder();
        var height = Top + (2 * PanelHeight) + Gap + 50;
        svg.Append(Inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(Inv, $"<rect width=\"{Width}\" height=\"{height}\" fill=\"white\"/>\n");
        svg.Append(Inv, $"<text x=\"{Left}\" y=\"22\" font-size=\"15\">SubmitAssessment, closed loop: {instances} instance(s), {(mutualTls ? "mutual TLS" : "development mode")}</text>\n");
        string[] greys = ["#7f7f7f", "#393b79", "#8c564b"];
        Panel(svg, points, Top, "calls/s (log)",
        [
            ("submits/s", "#1f77b4", "", p => p.Submits),
            ("plans drafted/s", "#2ca02c", "", p => p.Drafted),
            .. rawBatches.Select((batch, i) => ($"raw, {batch} per commit", greys[i % greys.Length], "6,4", (Func<ChartPoint, double>)(p => p.Raw[i]))),
            ("Kestrel ceiling", "#bcbd22", "2,3", p => p.Kestrel ?? double.NaN),
        ]);
        Panel(svg, points, Top + PanelHeight + Gap, "ms (log)",
        [
            ("submit p50", "#1f77b4", "", p => p.P50),
            ("submit p99", "#d62728", "", p => p.P99),
            ("plan p99 after ack", "#2ca02c", "6,4", p => p.PlanP99),
        ]);
        svg.Append(Inv, $"<text x=\"{Left + ((Width - Left - Right) / 2)}\" y=\"{height - 12}\" text-anchor=\"middle\">calls in flight</text>\n");
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static void Panel(StringBuilder svg, IReadOnlyList<ChartPoint> points, int top, string unit, (string Name, string Colour, string Dash, Func<ChartPoint, double> Value)[] series)
    {
        var plotWidth = Width - Left - Right;
        var values = series.SelectMany(s => points.Select(s.Value)).Where(v => v > 0 && !double.IsNaN(v)).ToArray();
        if (values.Length == 0)
        {
            return;
        }

        // Whole decades around the data, so the gridlines read 1, 10, 100, ...
        var low = Math.Floor(Math.Log10(values.Min()));
        var high = Math.Max(low + 1, Math.Ceiling(Math.Log10(values.Max())));
        double Y(double v) => top + PanelHeight - ((Math.Log10(v) - low) / (high - low) * PanelHeight);
        double X(int i) => Left + (points.Count == 1 ? plotWidth / 2.0 : i * plotWidth / (double)(points.Count - 1));

        svg.Append(Inv, $"<rect x=\"{Left}\" y=\"{top}\" width=\"{plotWidth}\" height=\"{PanelHeight}\" fill=\"none\" stroke=\"#444\"/>\n");
        svg.Append(Inv, $"<text x=\"14\" y=\"{top + (PanelHeight / 2)}\" transform=\"rotate(-90 14 {top + (PanelHeight / 2)})\" text-anchor=\"middle\">{unit}</text>\n");
        for (var decade = low; decade <= high; decade++)
        {
            var y = Y(Math.Pow(10, decade));
            svg.Append(Inv, $"<line x1=\"{Left}\" x2=\"{Left + plotWidth}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke=\"#ddd\"/>");
            svg.Append(Inv, $"<text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{Math.Pow(10, decade).ToString("#,0.###", Inv)}</text>\n");
        }

        for (var i = 0; i < points.Count; i++)
        {
            svg.Append(Inv, $"<text x=\"{X(i):0.#}\" y=\"{top + PanelHeight + 16}\" text-anchor=\"middle\">{points[i].Concurrency}</text>\n");
        }

        for (var s = 0; s < series.Length; s++)
        {
            var (name, colour, dash, value) = series[s];
            var drawn = points.Select((p, i) => (X: X(i), V: value(p))).Where(p => p.V > 0 && !double.IsNaN(p.V)).ToArray();
            if (drawn.Length == 0)
            {
                continue;
            }

            var dashAttribute = dash.Length > 0 ? $" stroke-dasharray=\"{dash}\"" : string.Empty;
            svg.Append(Inv, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"{dashAttribute} points=\"{string.Join(' ', drawn.Select(p => string.Create(Inv, $"{p.X:0.#},{Y(p.V):0.#}")))}\"/>\n");
            foreach (var p in drawn)
            {
                svg.Append(Inv, $"<circle cx=\"{p.X:0.#}\" cy=\"{Y(p.V):0.#}\" r=\"3\" fill=\"{colour}\"><title>{WebUtility.HtmlEncode(name)}: {p.V.ToString(p.V < 10 ? "0.00" : "N0", Inv)}</title></circle>\n");
            }

            var legendY = top + 16 + (s * 18);
            svg.Append(Inv, $"<line x1=\"{Left + plotWidth + 12}\" x2=\"{Left + plotWidth + 36}\" y1=\"{legendY - 4}\" y2=\"{legendY - 4}\" stroke=\"{colour}\" stroke-width=\"2\"{dashAttribute}/>");
            svg.Append(Inv, $"<text x=\"{Left + plotWidth + 42}\" y=\"{legendY}\">{WebUtility.HtmlEncode(name)}</text>\n");
        }
    }
}
