import Tensor

/// Gives every process of a data-parallel job the same gradients after its backward pass —
/// the sums over the processes of their own — so that all of them take the same optimiser
/// step and their weights stay identical.
///
/// **Dense parameters** are packed into buckets of about 1 MiB in the reverse of their
/// registration order, the order in which a backward pass finishes them; a bucket is summed
/// with a non-blocking allreduce as soon as all its parameters' gradients are final (see
/// ``gradientReady(_:)``, called from the backward pass), so that communication overlaps the
/// rest of the backward pass. Buckets are started in a fixed order, identical on every
/// process. Each bucket carries one flag per parameter saying how many processes computed a
/// gradient for it: a parameter gets a (possibly zero) gradient everywhere when any process
/// computed one, and none when no process did, exactly as in one process's backward pass.
///
/// **Embedding tables** keep row-sparse gradients. After the backward pass the processes share
/// how many rows each touched in each table; a table is then summed either as a dense
/// allreduce of the whole table plus one touched flag per row — when that is no more data
/// than the touched rows, `2 · rows ≤ Σ touched` — or by gathering every process's
/// (row ids, rows) and adding them up in rank order. Either way each process ends with the same
/// row-sparse gradient, and the optimiser's lazy update touches the same rows everywhere.
public final class GradientSynchronizer {
    /// The sizes of the last synchronised step, for communication planning.
    public struct StepTraffic: Sendable, Equatable {
        /// Floats of dense gradients and their flags summed by allreduce.
        public var denseFloats = 0
        /// Floats of embedding tables summed densely (rows · width plus one flag per row).
        public var denseTableFloats = 0
        /// Touched embedding rows this process contributed to gathers.
        public var gatheredRowsSent = 0
        /// Floats (ids and rows) this process contributed to gathers.
        public var gatheredFloatsSent = 0
        /// Floats (ids and rows) this process received from gathers.
        public var gatheredFloatsReceived = 0

        /// No traffic.
        public init() {}
    }

    /// The most floats of one bucket (1 MiB), and of the first, smaller one started earliest.
    public static let bucketFloats = 262_144, firstBucketFloats = 65_536

    private let communicator: Communicator
    private let buckets: [Bucket]
    private let slots: [ObjectIdentifier: (bucket: Int, member: Int)]
    private let tables: [Tensor]
    private var pending: [PendingReduction] = []
    private var started = 0
    /// The sizes of the last call of ``finish()``.
    public private(set) var traffic = StepTraffic()

    /// A synchroniser of `parameters` (in registration order) over `communicator`'s processes.
    public init(parameters: [Tensor], communicator: Communicator) {
        self.communicator = communicator
        tables = parameters.filter(\.prefersRowSparseGradient)
        var buckets: [Bucket] = [], members: [Tensor] = [], floats = 0
        for parameter in parameters.reversed() where !parameter.prefersRowSparseGradient {
            let limit = buckets.isEmpty ? Self.firstBucketFloats : Self.bucketFloats
            if !members.isEmpty && floats + parameter.count > limit {
                buckets.append(Bucket(members))
                (members, floats) = ([], 0)
            }
            members.append(parameter)
            floats += parameter.count
        }
        if !members.isEmpty { buckets.append(Bucket(members)) }
        self.buckets = buckets
        var slots: [ObjectIdentifier: (bucket: Int, member: Int)] = [:]
        for (b, bucket) in buckets.enumerated() {
            for (m, member) in bucket.members.enumerated() { slots[ObjectIdentifier(member)] = (b, m) }
        }
        self.slots = slots
    }

    /// The number of dense buckets.
    public var bucketCount: Int { buckets.count }

    /// Takes the final gradient of `leaf` for this step; called by the backward pass for every
    /// leaf whose gradient is complete. Starts the sums of the buckets now complete.
    public func gradientReady(_ leaf: Tensor) {
        guard let (b, m) = slots[ObjectIdentifier(leaf)] else { return }
        buckets[b].take(m)
        startCompleteBuckets()
        communicator.progress(&pending)
    }

    /// Completes the step's exchange: sums the buckets not yet started (with the gradients
    /// their parameters hold now), waits for every sum, writes the summed gradients back, and
    /// sums the embedding tables' row-sparse gradients.
    public func finish() {
        for bucket in buckets[started...] { bucket.takeRemaining() }
        startCompleteBuckets()
        communicator.wait(&pending)
        for bucket in buckets { bucket.writeBack() }
        started = 0
        traffic = StepTraffic()
        traffic.denseFloats = buckets.reduce(0) { $0 + $1.buffer.count }
        synchronizeTables()
    }

    private func startCompleteBuckets() {
        while started < buckets.count && buckets[started].isComplete {
            pending.append(communicator.startSum(buckets[started].buffer))
            started += 1
        }
    }

    // MARK: Embedding tables

    private func synchronizeTables() {
        guard !tables.isEmpty else { return }
        let local = tables.map { table -> Int32 in
            precondition(table.grad == nil, "an embedding table with a dense gradient cannot be synchronised sparsely")
            return Int32(table.rowGrad?.rows.count ?? 0)
        }
        let counts = communicator.gatherAll(local)
        var touched = [Int](repeating: 0, count: tables.count)
        for r in 0..<communicator.size {
            for j in tables.indices { touched[j] += Int(counts[r * tables.count + j]) }
        }
        let summedDensely = tables.indices.map { j in touched[j] > 0 && 2 * tables[j].shape[0] <= touched[j] }
        sumDensely(tables.indices.filter { summedDensely[$0] })
        gatherSparsely(tables.indices.filter { !summedDensely[$0] && touched[$0] > 0 }, counts: counts)
    }

    /// Sums tables `indices` as whole tables plus a touched flag per row, in one allreduce.
    private func sumDensely(_ indices: [Int]) {
        guard !indices.isEmpty else { return }
        let sizes = indices.map { tables[$0].shape[0] * (tables[$0].shape[1] + 1) }
        let total = sizes.reduce(0, +)
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: total)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: 0)
        var offset = 0
        for (j, size) in zip(indices, sizes) {
            let (rows, width) = (tables[j].shape[0], tables[j].shape[1])
            if let gradient = tables[j].rowGrad {
                for (i, row) in gradient.rows.enumerated() {
                    let target = offset + Int(row) * width
                    for k in 0..<width { buffer[target + k] += gradient.values[i * width + k] }
                    buffer[offset + rows * width + Int(row)] = 1
                }
            }
            offset += size
        }
        communicator.sum(buffer)
        traffic.denseTableFloats = total
        offset = 0
        for (j, size) in zip(indices, sizes) {
            let (rows, width) = (tables[j].shape[0], tables[j].shape[1])
            var ids: [Int32] = [], values: [Float] = []
            for row in 0..<rows where buffer[offset + rows * width + row] > 0 {
                ids.append(Int32(row))
                values.append(contentsOf: buffer[(offset + row * width)..<(offset + (row + 1) * width)])
            }
            tables[j].rowGrad = RowSparseGradient(rows: ids, values: values, width: width)
            offset += size
        }
    }

    /// Gathers every process's (row ids, rows) of tables `indices` and adds them up in rank
    /// order; `counts[r · tables + j]` is the number of rows process `r` touched in table `j`.
    private func gatherSparsely(_ indices: [Int], counts: [Int32]) {
        guard !indices.isEmpty else { return }
        let size = communicator.size
        let width = indices.map { tables[$0].shape[1] }
        var ids: [Int32] = [], values: [Float] = []
        for j in indices {
            if let gradient = tables[j].rowGrad {
                ids.append(contentsOf: gradient.rows)
                values.append(contentsOf: gradient.values)
            }
        }
        var idCounts = [Int](repeating: 0, count: size), valueCounts = [Int](repeating: 0, count: size)
        for r in 0..<size {
            for (n, j) in indices.enumerated() {
                let rows = Int(counts[r * tables.count + j])
                idCounts[r] += rows
                valueCounts[r] += rows * width[n]
            }
        }
        let allIds = communicator.gatherAll(ids, counts: idCounts)
        let allValues = communicator.gatherAll(values, counts: valueCounts)
        traffic.gatheredRowsSent = ids.count
        traffic.gatheredFloatsSent = ids.count + values.count
        traffic.gatheredFloatsReceived = allIds.count + allValues.count - traffic.gatheredFloatsSent
        var merged = indices.map { _ in (slots: [Int32: Int](), rows: [Int32](), values: [Float]()) }
        var (idCursor, valueCursor) = (0, 0)
        for r in 0..<size {
            for (n, j) in indices.enumerated() {
                let d = width[n]
                for _ in 0..<Int(counts[r * tables.count + j]) {
                    let row = allIds[idCursor]
                    let source = allValues[valueCursor..<(valueCursor + d)]
                    if let slot = merged[n].slots[row] {
                        for k in 0..<d { merged[n].values[slot * d + k] += source[source.startIndex + k] }
                    } else {
                        merged[n].slots[row] = merged[n].rows.count
                        merged[n].rows.append(row)
                        merged[n].values.append(contentsOf: source)
                    }
                    idCursor += 1
                    valueCursor += d
                }
            }
        }
        for (n, j) in indices.enumerated() {
            tables[j].rowGrad = RowSparseGradient(rows: merged[n].rows, values: merged[n].values, width: width[n])
        }
    }
}

/// Dense parameters whose gradients are summed together in one allreduce: their values side
/// by side, then one flag per parameter (1 where this process computed a gradient).
private final class Bucket {
    let members: [Tensor]
    let offsets: [Int]
    let buffer: UnsafeMutableBufferPointer<Float>
    private var taken: [Bool]
    private var takenCount = 0

    init(_ members: [Tensor]) {
        self.members = members
        var offsets: [Int] = [], offset = 0
        for member in members {
            offsets.append(offset)
            offset += member.count
        }
        self.offsets = offsets
        buffer = .allocate(capacity: offset + members.count)
        taken = Array(repeating: false, count: members.count)
    }

    deinit { buffer.deallocate() }

    var isComplete: Bool { takenCount == members.count }

    private var flags: Int { buffer.count - members.count }

    /// Copies member `m`'s gradient (zeros when it has none) into the buffer.
    func take(_ m: Int) {
        guard !taken[m] else { return }
        taken[m] = true
        takenCount += 1
        let target = buffer.baseAddress! + offsets[m]
        if let gradient = members[m].grad {
            target.update(from: gradient.pointer, count: members[m].count)
            buffer[flags + m] = 1
        } else {
            target.update(repeating: 0, count: members[m].count)
            buffer[flags + m] = 0
        }
    }

    /// Takes every member not yet taken.
    func takeRemaining() {
        for m in members.indices { take(m) }
    }

    /// Gives each member the summed gradient when some process had one, and starts over.
    func writeBack() {
        for (m, member) in members.enumerated() {
            if buffer[flags + m] > 0 {
                if member.grad == nil { member.grad = Tensor.zeros(member.shape) }
                member.grad!.pointer.update(from: buffer.baseAddress! + offsets[m], count: member.count)
            }
            taken[m] = false
        }
        takenCount = 0
    }
}
