import Foundation

/// Says why a rank stops when the launcher ends it: `mpirun` sends SIGTERM to every process
/// of a job one of whose processes failed, and a rank otherwise vanishes without a word.
enum TerminationNotice {
    /// The message, prepared before any signal can arrive (a handler may not allocate).
    nonisolated(unsafe) private static var message: [UInt8] = []

    /// Installs the SIGTERM handler of rank `rank`.
    static func install(rank: Int) {
        message = Array("dtrn: rank \(rank): terminated by the MPI launcher (SIGTERM), most likely because another process of the job failed\n".utf8)
        signal(SIGTERM) { _ in
            TerminationNotice.message.withUnsafeBytes { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
            _exit(143)
        }
    }
}
