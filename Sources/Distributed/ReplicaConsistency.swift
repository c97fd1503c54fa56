/// Refuses to start a job whose processes were given different inputs — another data file,
/// schema, model or setting on one of them would make the replicas silently diverge.
///
/// Every process describes what must agree as named fields; the processes exchange a 64-bit
/// hash of each, and where one differs from rank 0's, rank 0 sends its value so that the
/// differing process can show both.
public enum ReplicaConsistency {
    /// Throws ``DistributedError/mismatch(_:)`` on every process when some field's value differs
    /// between processes, naming the fields and ranks.
    public static func verify(_ fields: [(name: String, value: String)], on communicator: Communicator) throws {
        guard communicator.size > 1 else { return }
        let hashes = communicator.gatherAll(fields.map { fingerprint($0.value) })
        let n = fields.count
        var differing: [(field: Int, ranks: [Int])] = []
        for f in 0..<n {
            let ranks = (1..<communicator.size).filter { hashes[$0 * n + f] != hashes[f] }
            if !ranks.isEmpty { differing.append((f, ranks)) }
        }
        guard !differing.isEmpty else { return }
        var lines = ["the processes of this job were not started alike:"]
        for (f, ranks) in differing {
            let leaderValue = String(decoding: communicator.broadcast(Array(fields[f].value.utf8)), as: UTF8.self)
            var line = "  \(fields[f].name) differs from rank 0's on rank\(ranks.count > 1 ? "s" : "") "
                + ranks.map(String.init).joined(separator: ", ")
            if ranks.contains(communicator.rank) {
                line += "\n    here:   \(excerpt(fields[f].value))\n    rank 0: \(excerpt(leaderValue))"
            }
            lines.append(line)
        }
        lines.append("start every rank with the same data, config and options")
        throw DistributedError.mismatch(lines.joined(separator: "\n"))
    }

    /// FNV-1a over the UTF-8 bytes.
    static func fingerprint(_ text: String) -> UInt64 {
        text.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }

    private static func excerpt(_ text: String) -> String {
        text.count > 240 ? String(text.prefix(240)) + " …" : text
    }
}
