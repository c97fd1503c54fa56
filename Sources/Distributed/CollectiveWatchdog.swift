import Foundation
import Synchronization

/// Ends a process that has waited in one MPI call longer than a limit — the symptom of a
/// process of the job that died or hangs without the launcher noticing — with a message
/// naming the call, instead of waiting for ever.
///
/// A background thread looks once a second at when the current call began; entering and
/// leaving a call costs two atomic stores.
public final class CollectiveWatchdog: Sendable {
    /// The longest wait in one call.
    public let limit: Duration
    private let rank: Int
    private let startedAt = Atomic<Int64>(0)
    private let callName = Mutex<String>("")

    /// A watchdog over calls of rank `rank`, allowing each `limit`.
    public init(limit: Duration, rank: Int) {
        self.limit = limit
        self.rank = rank
        let thread = Thread { [self] in watch() }
        thread.name = "dtrn-collective-watchdog"
        thread.start()
    }

    func enter(_ name: String) {
        callName.withLock { $0 = name }
        startedAt.store(Int64(DispatchTime.now().uptimeNanoseconds), ordering: .releasing)
    }

    func leave() {
        startedAt.store(0, ordering: .releasing)
    }

    private func watch() {
        let limitNanoseconds = limit.components.seconds * 1_000_000_000 + limit.components.attoseconds / 1_000_000_000
        while true {
            Thread.sleep(forTimeInterval: 1)
            let start = startedAt.load(ordering: .acquiring)
            guard start > 0, Int64(DispatchTime.now().uptimeNanoseconds) - start > limitNanoseconds else { continue }
            let name = callName.withLock { $0 }
            FileHandle.standardError.write(Data((
                "dtrn: rank \(rank): no progress in \(name) for \(limit.components.seconds) s; another process of the job "
                + "has probably died or hangs (raise --collective-timeout if steps are this slow); exiting\n").utf8))
            _exit(3)
        }
    }
}
