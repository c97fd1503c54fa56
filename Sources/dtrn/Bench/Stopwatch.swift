import Foundation

/// Times a piece of work by repeating it until a minimum duration has passed, several
/// times over, and keeps the median and spread of the per-call time.
struct Stopwatch {
    /// Median and extremes of seconds per call.
    struct Timing {
        var median: Double
        var min: Double
        var max: Double
    }

    /// The least time one repetition batch runs.
    var minimumSeconds = 0.05
    /// How many repetition batches are timed (after one warm-up batch).
    var repetitions = 5

    /// Seconds per call of `body`.
    func measure(_ body: () -> Void) -> Timing {
        body()
        var calls = 1
        while true {
            let t = Self.seconds { for _ in 0..<calls { body() } }
            if t >= minimumSeconds / 4 || calls > 1 << 20 {
                calls = max(1, Int(Double(calls) * minimumSeconds / max(t, 1e-9)))
                break
            }
            calls *= 4
        }
        var samples: [Double] = []
        for _ in 0..<repetitions {
            samples.append(Self.seconds { for _ in 0..<calls { body() } } / Double(calls))
        }
        samples.sort()
        return Timing(median: samples[samples.count / 2], min: samples.first!, max: samples.last!)
    }

    /// Wall-clock seconds taken by `body`.
    static func seconds(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
