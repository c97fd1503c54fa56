import CMPI
import Foundation

/// The processes of a data-parallel job and this process's place among them.
///
/// A process started by `mpirun` (Open MPI sets `OMPI_COMM_WORLD_SIZE`) joins the MPI job;
/// any other process is a group of one that never touches MPI, so that a plain `dtrn train`
/// runs exactly as it does without distribution.
///
/// ```swift
/// let group = ProcessGroup.join(collectiveTimeout: .seconds(600))
/// if group.isLeader { print("\(group.size) processes") }
/// ```
public final class ProcessGroup: @unchecked Sendable {
    /// This process's rank, 0 ..< `size`.
    public let rank: Int
    /// The number of processes.
    public let size: Int
    /// This process's rank among the processes on its machine.
    public let localRank: Int
    /// The number of processes on this machine.
    public let localSize: Int
    /// The communicator of the job's own collectives (nil in a group of one).
    public let communicator: Communicator?

    private init(rank: Int, size: Int, localRank: Int, localSize: Int, communicator: Communicator?) {
        self.rank = rank
        self.size = size
        self.localRank = localRank
        self.localSize = localSize
        self.communicator = communicator
    }

    /// A group of one process.
    public static let single = ProcessGroup(rank: 0, size: 1, localRank: 0, localSize: 1, communicator: nil)

    /// Whether this process was started by an MPI launcher.
    public static var isLaunchedByMPI: Bool {
        let environment = ProcessInfo.processInfo.environment
        return environment["OMPI_COMM_WORLD_SIZE"] != nil || environment["PMIX_RANK"] != nil
    }

    /// The job this process belongs to: the MPI job when launched by `mpirun` (whose
    /// collectives give up after `collectiveTimeout`), else a group of one.
    public static func join(collectiveTimeout: Duration = .seconds(600)) -> ProcessGroup {
        guard isLaunchedByMPI else { return .single }
        var provided: Int32 = 0
        let code = MPI_Init_thread(nil, nil, Int32(MPI_THREAD_FUNNELED), &provided)
        guard code == 0 else {
            FileHandle.standardError.write(Data("dtrn: MPI_Init_thread failed with code \(code)\n".utf8))
            exit(1)
        }
        let world = Communicator(handle: dtrn_mpi_comm_world(), watchdog: nil)
        let watchdog = CollectiveWatchdog(limit: collectiveTimeout, rank: world.rank)
        var local: MPI_Comm? = dtrn_mpi_comm_null()
        MPI_Comm_split_type(world.handle, Int32(MPI_COMM_TYPE_SHARED), Int32(world.rank), dtrn_mpi_info_null(), &local)
        let machine = Communicator(handle: local, watchdog: nil)
        let group = ProcessGroup(rank: world.rank, size: world.size, localRank: machine.rank, localSize: machine.size,
                                 communicator: Communicator(handle: world.handle, watchdog: watchdog).duplicate())
        TerminationNotice.install(rank: world.rank)
        atexit { finalizeIfNeeded() }
        return group
    }

    /// Whether this process is rank 0, the one that writes and prints.
    public var isLeader: Bool { rank == 0 }

    /// Whether the group has more than one process.
    public var isDistributed: Bool { size > 1 }

    /// The default number of compute threads for this process: the cores it may run on,
    /// divided among the processes on its machine unless the launcher bound it to fewer.
    public var defaultThreadCount: Int {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let allowed = Self.allowedCoreCount() ?? cores
        return allowed < cores ? max(1, allowed) : max(1, cores / localSize)
    }

    /// The number of cores this process's affinity mask allows (the launcher's binding), from
    /// the `Cpus_allowed` mask of `/proc/self/status`.
    private static func allowedCoreCount() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") }) else { return nil }
        return line.dropFirst("Cpus_allowed:".count).reduce(0) { count, digit in
            count + (digit.hexDigitValue?.nonzeroBitCount ?? 0)
        }
    }
}

/// Finalises MPI once at exit, when it was initialised and not yet finalised.
private func finalizeIfNeeded() {
    var initialized: Int32 = 0, finalized: Int32 = 0
    MPI_Initialized(&initialized)
    MPI_Finalized(&finalized)
    if initialized != 0 && finalized == 0 { MPI_Finalize() }
}

extension ProcessGroup {
    /// Runs `body` on the leader first and then, once it has succeeded, on every other
    /// process (as ingestion into a shared cache must); when it fails on the leader, every
    /// process throws instead of waiting.
    public func leaderFirst<Result>(_ body: () throws -> Result) throws -> Result {
        guard let communicator else { return try body() }
        if isLeader {
            do {
                let result = try body()
                _ = communicator.broadcast([])
                return result
            } catch {
                _ = communicator.broadcast(Array("\(error)".utf8))
                throw error
            }
        }
        let failure = communicator.broadcast([])
        if !failure.isEmpty { throw DistributedError.leaderFailed(String(decoding: failure, as: UTF8.self)) }
        return try body()
    }

    /// Runs `body` on the leader alone (writing a checkpoint); the others wait for it and
    /// throw when it failed.
    public func leaderOnly(_ body: () throws -> Void) throws {
        guard let communicator else { return try body() }
        var failure: [UInt8] = []
        var thrown: Error?
        if isLeader {
            do { try body() } catch {
                thrown = error
                failure = Array("\(error)".utf8)
            }
        }
        failure = communicator.broadcast(failure)
        if let thrown { throw thrown }
        if !failure.isEmpty { throw DistributedError.leaderFailed(String(decoding: failure, as: UTF8.self)) }
    }
}

extension ProcessGroup {
    /// The leader's `decision` on every process (for loops that end on a clock, which
    /// must end at the same iteration everywhere).
    public func leaderDecides(_ decision: Bool) -> Bool {
        guard let communicator else { return decision }
        return communicator.broadcast([decision ? 1 : 0]) == [1]
    }
}
