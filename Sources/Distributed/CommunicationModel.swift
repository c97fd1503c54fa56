/// The time a data-parallel step spends communicating, estimated from the gradient sizes a
/// real step exchanged, for planning jobs larger than the one measured.
///
/// Open MPI sums large buffers with a ring allreduce, in which every process sends
/// `2 · (N − 1) / N` of the buffer in `2 · (N − 1)` messages, and gathers with a ring
/// allgather, in which it sends `(N − 1) / N` of the gathered total in `N − 1` messages. At a
/// fixed global batch the dense gradients stay the same size, and the embedding rows touched
/// by the whole global batch — taken as the sum of the rows the measured processes sent, an
/// upper bound since rows two processes share count twice — stay about the same too.
public struct CommunicationModel: Sendable, Equatable {
    /// Bytes of dense gradients (and their flags) summed per step.
    public var denseBytes: Double
    /// Bytes of embedding tables summed densely per step.
    public var denseTableBytes: Double
    /// Bytes of (row id, row) pairs the whole global batch contributes to gathers per step.
    public var gatheredBytes: Double
    /// The number of dense buckets (allreduces) per step.
    public var buckets: Int
    /// Seconds of one message's latency.
    public var latency: Double

    /// A model of steps exchanging `traffic` as measured on one of `processes` processes
    /// (whose gathered rows are taken as a typical process's), with per-message `latency`.
    public init(traffic: GradientSynchronizer.StepTraffic, processes: Int, buckets: Int, latency: Double = 5e-6) {
        denseBytes = Double(traffic.denseFloats) * 4
        denseTableBytes = Double(traffic.denseTableFloats) * 4
        gatheredBytes = Double(traffic.gatheredFloatsSent) * 4 * Double(processes)
        self.buckets = buckets
        self.latency = latency
    }

    /// Bytes one process sends per step in a job of `n` processes.
    public func bytesSent(processes n: Int) -> Double {
        guard n > 1 else { return 0 }
        let ring = Double(n - 1) / Double(n)
        return 2 * ring * (denseBytes + denseTableBytes) + ring * gatheredBytes
    }

    /// Seconds of communication per step in a job of `n` processes on links of
    /// `gigabitsPerSecond`, if nothing of it overlapped computation.
    public func seconds(processes n: Int, gigabitsPerSecond: Double) -> Double {
        guard n > 1 else { return 0 }
        let messages = Double(2 * (n - 1) * (buckets + (denseTableBytes > 0 ? 1 : 0)) + (gatheredBytes > 0 ? 2 * (n - 1) : 0))
        return bytesSent(processes: n) * 8 / (gigabitsPerSecond * 1e9) + messages * latency
    }
}
