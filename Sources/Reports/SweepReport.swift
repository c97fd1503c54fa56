import Foundation

/// The HTML report of a conflict sweep: per task, test AUC against the conflict level for
/// every variant (mean over seeds, error bars ± one standard deviation), the measured
/// gradient conflict rate against the conflict level, and the numbers as a table.
public struct SweepReport {
    /// The sweep drawn.
    public var sweep: SweepResults

    /// The report of `sweep`.
    public init(sweep: SweepResults) { self.sweep = sweep }

    /// Mean and sample standard deviation (0 for one value) of `values`.
    static func meanAndDeviation(_ values: [Double]) -> (mean: Double, deviation: Double) {
        let mean = values.reduce(0, +) / Double(values.count)
        guard values.count > 1 else { return (mean, 0) }
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
        return (mean, variance.squareRoot())
    }

    /// The variants in first-seen order.
    private var variants: [String] {
        var out: [String] = []
        for run in sweep.runs where !out.contains(run.variant) { out.append(run.variant) }
        return out
    }

    /// The tasks in first-seen order.
    private var tasks: [String] {
        var out: [String] = []
        for run in sweep.runs { for task in run.tasks where !out.contains(task) { out.append(task) } }
        return out
    }

    /// Per variant: the conflict levels and, at each, mean ± deviation of `value` over the seeds
    /// that have one, and how many seeds.
    private func summary(_ value: (SweepResults.Run) -> Double?) -> [(variant: String, points: [(conflict: Double, mean: Double, deviation: Double, seeds: Int)])] {
        variants.map { variant in
            let runs = sweep.runs.filter { $0.variant == variant }
            let levels = Set(runs.map(\.conflict)).sorted()
            let points = levels.compactMap { level -> (Double, Double, Double, Int)? in
                let values = runs.filter { $0.conflict == level }.compactMap(value)
                guard !values.isEmpty else { return nil }
                let (mean, deviation) = Self.meanAndDeviation(values)
                return (level, mean, deviation, values.count)
            }
            return (variant, points)
        }
    }

    private func chart(title: String, yLabel: String, _ value: @escaping (SweepResults.Run) -> Double?) -> (svg: String, table: [[String]]) {
        let rows = summary(value).filter { !$0.points.isEmpty }
        let series = rows.map { row in
            LineChart.Series(name: row.variant, x: row.points.map(\.conflict), y: row.points.map(\.mean),
                             errors: row.points.map(\.deviation))
        }
        let table = rows.flatMap { row in
            row.points.map { p in
                [escaped(row.variant), HTMLPage.number(p.conflict, digits: 2),
                 HTMLPage.number(p.mean) + " ± " + HTMLPage.number(p.deviation), "\(p.seeds)"]
            }
        }
        return (LineChart(title: title, xLabel: "conflict level c (share of task-specific ridges)", yLabel: yLabel,
                          series: series).svg, table)
    }

    /// The whole page.
    public var html: String {
        let seeds = Set(sweep.runs.map(\.seed)).sorted()
        var body = "<p class=\"note\">\(sweep.runs.count) trained models: \(variants.count) variants, "
            + "conflict levels \(Set(sweep.runs.map(\.conflict)).sorted().map { String(format: "%.2f", $0) }.joined(separator: ", ")), "
            + "seeds \(seeds.map(String.init).joined(separator: ", ")). Points are means over the seeds; "
            + "error bars span ± one sample standard deviation.</p>\n"
        var charts: [String] = [], tables = ""
        for task in tasks {
            let (svg, table) = chart(title: "Test AUC: \(task)", yLabel: "test AUC") { run in
                run.tasks.firstIndex(of: task).map { run.testAUC[$0] }
            }
            charts.append(svg)
            tables += "<h3>Test AUC: \(escaped(task))</h3>\n"
                + HTMLPage.table(header: ["variant", "conflict", "mean ± std", "seeds"], rows: table,
                                 classes: table.map { _ in ["", "num", "num", "num"] })
        }
        if sweep.runs.contains(where: { $0.conflictRate != nil }) {
            let (svg, table) = chart(title: "Gradient conflict rate", yLabel: "share of steps with negative cosine", \.conflictRate)
            charts.append(svg)
            tables += "<h3>Gradient conflict rate</h3>\n"
                + HTMLPage.table(header: ["variant", "conflict", "mean ± std", "seeds"], rows: table,
                                 classes: table.map { _ in ["", "num", "num", "num"] })
        } else {
            body += "<p class=\"note\">No run of this sweep has a measured conflict rate: run the sweep with gradient "
                + "diagnostics on to draw conflict rate against conflict level.</p>\n"
        }
        body += "<h2>AUC and conflict rate against the conflict level</h2>\n<div class=\"charts\">\n"
            + charts.joined(separator: "\n") + "\n</div>\n<h2>Numbers</h2>\n" + tables
        return HTMLPage.document(title: "Conflict sweep", body: body)
    }
}
