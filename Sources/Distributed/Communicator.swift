import CMPI
import Foundation

/// The MPI collectives a data-parallel job uses, over one communicator: every call is made by
/// every process of the communicator in the same order, and returns only when the process's
/// part of it is done.
///
/// A failed MPI call cannot be recovered from in a job whose processes must stay in step: it
/// prints what failed on which rank and aborts the whole job (`MPI_Abort`), so that no process
/// is left waiting. A collective that does not complete within the watchdog's limit does the
/// same (see ``CollectiveWatchdog``).
public final class Communicator: @unchecked Sendable {
    /// This process's rank in the communicator.
    public let rank: Int
    /// The number of processes.
    public let size: Int
    let handle: MPI_Comm?
    private let watchdog: CollectiveWatchdog?

    init(handle: MPI_Comm?, watchdog: CollectiveWatchdog?) {
        self.handle = handle
        self.watchdog = watchdog
        var rank: Int32 = 0, size: Int32 = 0
        MPI_Comm_rank(handle, &rank)
        MPI_Comm_size(handle, &size)
        self.rank = Int(rank)
        self.size = Int(size)
        MPI_Comm_set_errhandler(handle, dtrn_mpi_errors_return())
    }

    /// A new communicator over the same processes, whose collectives never interleave with this one's.
    public func duplicate() -> Communicator {
        var copy: MPI_Comm? = dtrn_mpi_comm_null()
        check(MPI_Comm_dup(handle, &copy), "MPI_Comm_dup")
        return Communicator(handle: copy, watchdog: watchdog)
    }

    // MARK: Reductions

    /// Replaces every element of `values` by its sum over the processes.
    public func sum(_ values: UnsafeMutableBufferPointer<Float>) {
        guard size > 1, let base = values.baseAddress, !values.isEmpty else { return }
        collective("MPI_Allreduce") {
            MPI_Allreduce(dtrn_mpi_in_place(), base, Int32(values.count), dtrn_mpi_float(), dtrn_mpi_sum(), handle)
        }
    }

    /// Replaces every element of `values` by its sum over the processes.
    public func sum(_ values: inout [Double]) {
        guard size > 1, !values.isEmpty else { return }
        let count = Int32(values.count)
        values.withUnsafeMutableBufferPointer { buffer in
            collective("MPI_Allreduce") {
                MPI_Allreduce(dtrn_mpi_in_place(), buffer.baseAddress, count, dtrn_mpi_double(), dtrn_mpi_sum(), handle)
            }
        }
    }

    /// Starts summing `values` over the processes in place; the buffer must stay alive and
    /// untouched until ``wait(_:)`` has returned for the request.
    public func startSum(_ values: UnsafeMutableBufferPointer<Float>) -> PendingReduction {
        var request: MPI_Request? = dtrn_mpi_request_null()
        if size > 1, let base = values.baseAddress, !values.isEmpty {
            collective("MPI_Iallreduce") {
                MPI_Iallreduce(dtrn_mpi_in_place(), base, Int32(values.count), dtrn_mpi_float(), dtrn_mpi_sum(), handle, &request)
            }
        }
        return PendingReduction(request: request)
    }

    /// Lets started reductions progress without waiting for them (MPI moves messages only
    /// inside its calls); true when all of them are complete.
    @discardableResult
    public func progress(_ pending: inout [PendingReduction]) -> Bool {
        guard !pending.isEmpty else { return true }
        var done: Int32 = 0
        var requests = pending.map(\.request)
        check(MPI_Testall(Int32(requests.count), &requests, &done, dtrn_mpi_statuses_ignore()), "MPI_Testall")
        for i in pending.indices { pending[i].request = requests[i] }
        return done != 0
    }

    /// Waits until every started reduction is complete.
    public func wait(_ pending: inout [PendingReduction]) {
        guard !pending.isEmpty else { return }
        var requests = pending.map(\.request)
        collective("MPI_Waitall") {
            MPI_Waitall(Int32(requests.count), &requests, dtrn_mpi_statuses_ignore())
        }
        pending.removeAll()
    }

    // MARK: Gathers

    /// Every process's `values` (the same count on each), concatenated in rank order.
    public func gatherAll<Element: BitwiseCopyable>(_ values: [Element]) -> [Element] {
        guard size > 1 else { return values }
        let bytes = Int32(values.count * MemoryLayout<Element>.stride)
        var result = [Element](unsafeUninitializedCapacity: values.count * size) { _, count in count = values.count * size }
        values.withUnsafeBytes { local in
            result.withUnsafeMutableBytes { all in
                collective("MPI_Allgather") {
                    MPI_Allgather(local.baseAddress, bytes, dtrn_mpi_byte(), all.baseAddress, bytes, dtrn_mpi_byte(), handle)
                }
            }
        }
        return result
    }

    /// Every process's `values`, whose counts are `counts` (one per rank, the same on every
    /// process), concatenated in rank order.
    public func gatherAll<Element: BitwiseCopyable>(_ values: [Element], counts: [Int]) -> [Element] {
        precondition(counts.count == size && counts[rank] == values.count, "gatherAll: counts \(counts) for \(values.count) values")
        guard size > 1 else { return values }
        let (byteCounts, offsets, total) = Self.layout(counts, stride: MemoryLayout<Element>.stride)
        var result = [Element](unsafeUninitializedCapacity: counts.reduce(0, +)) { _, count in count = counts.reduce(0, +) }
        values.withUnsafeBytes { local in
            result.withUnsafeMutableBytes { all in
                collective("MPI_Allgatherv") {
                    MPI_Allgatherv(local.baseAddress, byteCounts[rank], dtrn_mpi_byte(), total > 0 ? all.baseAddress : nil,
                                   byteCounts, offsets, dtrn_mpi_byte(), handle)
                }
            }
        }
        return result
    }

    /// On `root`, every process's `values` (of `counts`, one per rank) concatenated in rank
    /// order; empty elsewhere.
    public func gather<Element: BitwiseCopyable>(_ values: [Element], counts: [Int], root: Int = 0) -> [Element] {
        precondition(counts.count == size && counts[rank] == values.count, "gather: counts \(counts) for \(values.count) values")
        guard size > 1 else { return values }
        let (byteCounts, offsets, _) = Self.layout(counts, stride: MemoryLayout<Element>.stride)
        let total = rank == root ? counts.reduce(0, +) : 0
        var result = [Element](unsafeUninitializedCapacity: total) { _, count in count = total }
        values.withUnsafeBytes { local in
            result.withUnsafeMutableBytes { all in
                collective("MPI_Gatherv") {
                    MPI_Gatherv(local.baseAddress, byteCounts[rank], dtrn_mpi_byte(), all.baseAddress,
                                byteCounts, offsets, dtrn_mpi_byte(), Int32(root), handle)
                }
            }
        }
        return result
    }

    /// `root`'s `bytes` on every process (the others' arguments are ignored).
    public func broadcast(_ bytes: [UInt8], root: Int = 0) -> [UInt8] {
        guard size > 1 else { return bytes }
        var count = [Int64(bytes.count)]
        count.withUnsafeMutableBytes { buffer in
            collective("MPI_Bcast") { MPI_Bcast(buffer.baseAddress, 8, dtrn_mpi_byte(), Int32(root), handle) }
        }
        var result = rank == root ? bytes : [UInt8](repeating: 0, count: Int(count[0]))
        guard !result.isEmpty else { return result }
        result.withUnsafeMutableBytes { buffer in
            collective("MPI_Bcast") {
                MPI_Bcast(buffer.baseAddress, Int32(buffer.count), dtrn_mpi_byte(), Int32(root), handle)
            }
        }
        return result
    }

    /// Returns once every process has called it.
    public func barrier() {
        guard size > 1 else { return }
        collective("MPI_Barrier") { MPI_Barrier(handle) }
    }

    // MARK: Failure

    /// Prints `message` for this rank and ends every process of the job with exit code `code`.
    public func abort(_ message: String, code: Int32 = 1) -> Never {
        FileHandle.standardError.write(Data("dtrn: rank \(rank): \(message)\n".utf8))
        MPI_Abort(handle, code)
        exit(code)
    }

    /// Runs one MPI call under the watchdog, aborting on failure.
    private func collective(_ name: String, _ call: () -> Int32) {
        watchdog?.enter(name)
        let code = call()
        watchdog?.leave()
        check(code, name)
    }

    private func check(_ code: Int32, _ name: String) {
        guard code != 0 else { return }
        var text = [CChar](repeating: 0, count: Int(MPI_MAX_ERROR_STRING) + 1)
        var length: Int32 = 0
        MPI_Error_string(code, &text, &length)
        abort("\(name) failed: \(String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)) "
              + "(another process has probably failed)")
    }

    /// Byte counts and offsets of a variable gather, and the total byte count.
    private static func layout(_ counts: [Int], stride: Int) -> (counts: [Int32], offsets: [Int32], total: Int) {
        let bytes = counts.map { $0 * stride }
        let total = bytes.reduce(0, +)
        precondition(total < Int(Int32.max), "a gather of \(total) bytes exceeds MPI's 2 GiB count")
        var offsets: [Int32] = [], offset = 0
        for count in bytes {
            offsets.append(Int32(offset))
            offset += count
        }
        return (bytes.map { Int32($0) }, offsets, total)
    }
}

/// A reduction started by ``Communicator/startSum(_:)``, complete after ``Communicator/wait(_:)``.
public struct PendingReduction {
    var request: MPI_Request?
}
