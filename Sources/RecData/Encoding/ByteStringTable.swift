/// Interns byte strings to dense ids (0, 1, 2, … in order of first appearance) without creating `String`s,
/// and counts the occurrences marked as training ones.
///
/// Open addressing with linear probing over a power-of-two slot array; keys live in one byte arena. This is
/// the hot path of ingestion: a field's bytes are hashed eight at a time (`Checksum`) and compared
/// byte-wise only on a hash match. All state sits behind one pointer, so lookups pay no exclusivity checks
/// or reference counting.
final class ByteStringTable {
    private struct State {
        var slots: UnsafeMutablePointer<Int32>
        var slotHashes: UnsafeMutablePointer<UInt64>
        var slotMask: Int
        var arena: UnsafeMutablePointer<UInt8>
        var arenaCount = 0
        var arenaCapacity: Int
        /// `offsets[id] ..< offsets[id + 1]` is the key of `id` in the arena.
        var offsets: UnsafeMutablePointer<Int>
        var trainingCounts: UnsafeMutablePointer<Int64>
        var idCapacity: Int
        var count = 0
    }

    private let state: UnsafeMutablePointer<State>

    /// An empty table.
    init() {
        let slotCount = 1024
        let slots = UnsafeMutablePointer<Int32>.allocate(capacity: slotCount)
        slots.initialize(repeating: -1, count: slotCount)
        let slotHashes = UnsafeMutablePointer<UInt64>.allocate(capacity: slotCount)
        slotHashes.initialize(repeating: 0, count: slotCount)
        let idCapacity = slotCount / 2
        let offsets = UnsafeMutablePointer<Int>.allocate(capacity: idCapacity + 1)
        offsets[0] = 0
        state = .allocate(capacity: 1)
        state.initialize(to: State(
            slots: slots, slotHashes: slotHashes, slotMask: slotCount - 1,
            arena: .allocate(capacity: 1 << 14), arenaCapacity: 1 << 14, offsets: offsets,
            trainingCounts: .allocate(capacity: idCapacity), idCapacity: idCapacity))
    }

    deinit {
        let current = state.pointee
        current.slots.deallocate()
        current.slotHashes.deallocate()
        current.arena.deallocate()
        current.offsets.deallocate()
        current.trainingCounts.deallocate()
        state.deallocate()
    }

    /// The number of distinct strings interned.
    var count: Int { state.pointee.count }

    /// How many times the string with id `id` was interned with `training` set.
    func trainingCount(of id: Int) -> Int64 { state.pointee.trainingCounts[id] }

    /// The id of `bytes`, adding it when new; counts a training occurrence when `training` is true.
    @inline(__always)
    func intern(_ bytes: UnsafeBufferPointer<UInt8>, training: Bool = false) -> Int32 {
        let hash = Checksum.of(UnsafeRawBufferPointer(bytes))
        var slot = Int(truncatingIfNeeded: hash) & state.pointee.slotMask
        while true {
            let id = state.pointee.slots[slot]
            if id < 0 {
                let added = insert(bytes, hash: hash, slot: slot)
                if training { state.pointee.trainingCounts[Int(added)] += 1 }
                return added
            }
            if state.pointee.slotHashes[slot] == hash && keyEquals(Int(id), bytes) {
                if training { state.pointee.trainingCounts[Int(id)] += 1 }
                return id
            }
            slot = (slot + 1) & state.pointee.slotMask
        }
    }

    /// The string with id `id`, invalid UTF-8 repaired.
    func string(at id: Int) -> String {
        let start = state.pointee.offsets[id]
        let bytes = UnsafeBufferPointer(start: state.pointee.arena + start, count: state.pointee.offsets[id + 1] - start)
        return String(decoding: bytes, as: UTF8.self)
    }

    private func insert(_ bytes: UnsafeBufferPointer<UInt8>, hash: UInt64, slot: Int) -> Int32 {
        let id = state.pointee.count
        if id == state.pointee.idCapacity { growIDs() }
        if state.pointee.arenaCount + bytes.count > state.pointee.arenaCapacity { growArena(toHold: bytes.count) }
        state.pointee.slots[slot] = Int32(id)
        state.pointee.slotHashes[slot] = hash
        if let source = bytes.baseAddress {
            (state.pointee.arena + state.pointee.arenaCount).update(from: source, count: bytes.count)
        }
        state.pointee.arenaCount += bytes.count
        state.pointee.offsets[id + 1] = state.pointee.arenaCount
        state.pointee.trainingCounts[id] = 0
        state.pointee.count = id + 1
        if state.pointee.count * 2 > state.pointee.slotMask { growSlots() }
        return Int32(id)
    }

    @inline(__always)
    private func keyEquals(_ id: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = state.pointee.offsets[id]
        let length = state.pointee.offsets[id + 1] - start
        if length != bytes.count { return false }
        let key = state.pointee.arena + start
        for index in 0..<length where key[index] != bytes[index] { return false }
        return true
    }

    private func growIDs() {
        let capacity = state.pointee.idCapacity * 2
        let offsets = UnsafeMutablePointer<Int>.allocate(capacity: capacity + 1)
        offsets.update(from: state.pointee.offsets, count: state.pointee.count + 1)
        state.pointee.offsets.deallocate()
        state.pointee.offsets = offsets
        let counts = UnsafeMutablePointer<Int64>.allocate(capacity: capacity)
        counts.update(from: state.pointee.trainingCounts, count: state.pointee.count)
        state.pointee.trainingCounts.deallocate()
        state.pointee.trainingCounts = counts
        state.pointee.idCapacity = capacity
    }

    private func growArena(toHold extra: Int) {
        var capacity = state.pointee.arenaCapacity * 2
        while capacity < state.pointee.arenaCount + extra { capacity *= 2 }
        let arena = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        arena.update(from: state.pointee.arena, count: state.pointee.arenaCount)
        state.pointee.arena.deallocate()
        state.pointee.arena = arena
        state.pointee.arenaCapacity = capacity
    }

    private func growSlots() {
        let oldCount = state.pointee.slotMask + 1
        let oldSlots = state.pointee.slots
        let oldHashes = state.pointee.slotHashes
        let newCount = oldCount * 2
        let slots = UnsafeMutablePointer<Int32>.allocate(capacity: newCount)
        slots.initialize(repeating: -1, count: newCount)
        let hashes = UnsafeMutablePointer<UInt64>.allocate(capacity: newCount)
        hashes.initialize(repeating: 0, count: newCount)
        let mask = newCount - 1
        for old in 0..<oldCount where oldSlots[old] >= 0 {
            var slot = Int(truncatingIfNeeded: oldHashes[old]) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = oldSlots[old]
            hashes[slot] = oldHashes[old]
        }
        oldSlots.deallocate()
        oldHashes.deallocate()
        state.pointee.slots = slots
        state.pointee.slotHashes = hashes
        state.pointee.slotMask = mask
    }
}
