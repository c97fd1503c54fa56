import Foundation

/// Reports training progress on standard error: a redrawn bar with samples/s, loss and ETA
/// on a terminal, and plain lines (about every 10 % of an epoch) otherwise.
public final class ProgressReporter {
    private let isTerminal: Bool
    private let quiet: Bool
    private var epochStart = Date()
    private var lastDraw = Date.distantPast
    private var lastPercentPrinted = -1
    private var label = ""
    private var totalBatches = 1

    /// A reporter; `quiet` silences everything.
    public init(quiet: Bool = false) {
        isTerminal = isatty(STDERR_FILENO) == 1
        self.quiet = quiet
    }

    /// Starts an epoch of `batches` batches.
    public func startEpoch(_ label: String, batches: Int) {
        self.label = label
        totalBatches = max(1, batches)
        epochStart = Date()
        lastPercentPrinted = -1
    }

    /// Reports that `batch` batches and `samples` samples are done, at running mean loss `loss`.
    public func update(batch: Int, samples: Int, loss: Double) {
        guard !quiet else { return }
        let now = Date()
        let elapsed = now.timeIntervalSince(epochStart)
        let fraction = Double(batch) / Double(totalBatches)
        let rate = Double(samples) / max(elapsed, 1e-9)
        let eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0
        let text = String(format: "%@ %3.0f%% %8.0f samples/s  loss %.4f  ETA %@", label, fraction * 100, rate, loss,
                          Self.clock(eta))
        if isTerminal {
            guard now.timeIntervalSince(lastDraw) > 0.1 || batch == totalBatches else { return }
            lastDraw = now
            let width = 24, filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            FileHandle.standardError.write(Data("\r\(bar) \(text)\u{1B}[K".utf8))
            if batch == totalBatches { FileHandle.standardError.write(Data("\n".utf8)) }
        } else {
            let percent = Int(fraction * 10) * 10
            guard percent > lastPercentPrinted else { return }
            lastPercentPrinted = percent
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }
    }

    /// Prints a line of its own.
    public func note(_ line: String) {
        guard !quiet else { return }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// `m:ss` or `h:mm:ss`.
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
