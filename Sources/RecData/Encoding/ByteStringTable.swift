#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Interns byte strings to dense ids (0, 1, 2, … in order of first appearance) without creating `String`s,
/// and counts the occurrences marked as training ones.
///
/// Open addressing with linear probing over a power-of-two array of 24-byte slots; keys live in one byte
/// arena. This is the hot path of ingestion, and with millions of distinct ids its cost is cache misses, so a
/// slot holds everything a lookup needs: a tag (23 bits of the hash and the key's length), the id, the
/// training count, and the key itself when it has at most 8 bytes (its arena offset otherwise). Finding a
/// short key therefore touches one cache line. A field's bytes are hashed eight at a time (`Checksum`). All
/// state sits behind one pointer, so lookups pay no exclusivity checks or reference counting. The slot
/// array is aligned to 2 MB and asked for transparent huge pages, so that a random lookup in a table of
/// hundreds of megabytes does not also miss the TLB.
final class ByteStringTable {
    private struct Slot {
        /// 0 for an empty slot; otherwise 23 bits of the hash and the key length (255 for 255 or more).
        var tag: UInt32
        var id: Int32
        /// The key's bytes, zero-padded, when it has at most 8; its arena offset otherwise.
        var key: UInt64
        var trainingCount: Int64
    }

    private struct State {
        var slots: UnsafeMutablePointer<Slot>
        var slotMask: Int
        var arena: UnsafeMutablePointer<UInt8>
        var arenaCount = 0
        var arenaCapacity: Int
        /// `offsets[id] ..< offsets[id + 1]` is the key of `id` in the arena.
        var offsets: UnsafeMutablePointer<Int>
        var idCapacity: Int
        var count = 0
    }

    private static let inlineBytes = 8
    private let state: UnsafeMutablePointer<State>

    /// An empty table.
    init() {
        let slotCount = 1024
        let idCapacity = slotCount / 2
        let offsets = UnsafeMutablePointer<Int>.allocate(capacity: idCapacity + 1)
        offsets[0] = 0
        state = .allocate(capacity: 1)
        state.initialize(to: State(
            slots: Self.emptySlots(slotCount), slotMask: slotCount - 1,
            arena: .allocate(capacity: 1 << 14), arenaCapacity: 1 << 14, offsets: offsets, idCapacity: idCapacity))
    }

    deinit {
        let current = state.pointee
        free(current.slots)
        current.arena.deallocate()
        current.offsets.deallocate()
        state.deallocate()
    }

    /// The number of distinct strings interned.
    var count: Int { state.pointee.count }

    /// How many times each string, by id, was interned with `training` set.
    func trainingCounts() -> [Int64] {
        var counts = [Int64](repeating: 0, count: count)
        for slot in 0...state.pointee.slotMask where state.pointee.slots[slot].tag != 0 {
            counts[Int(state.pointee.slots[slot].id)] = state.pointee.slots[slot].trainingCount
        }
        return counts
    }

    /// The id of `bytes`, adding it when new; counts a training occurrence when `training` is true.
    @inline(__always)
    func intern(_ bytes: UnsafeBufferPointer<UInt8>, training: Bool = false) -> Int32 {
        let hash = Checksum.of(UnsafeRawBufferPointer(bytes))
        let tag = Self.tag(hash: hash, length: bytes.count)
        let inline = bytes.count <= Self.inlineBytes
        let packed = inline ? Self.packed(bytes) : 0
        let slots = state.pointee.slots
        var slot = Int(truncatingIfNeeded: hash) & state.pointee.slotMask
        while true {
            let entry = slots[slot]
            if entry.tag == 0 {
                return insert(bytes, tag: tag, key: packed, training: training, slot: slot)
            }
            if entry.tag == tag && (inline ? entry.key == packed : arenaKeyEquals(entry, bytes)) {
                if training { slots[slot].trainingCount += 1 }
                return entry.id
            }
            slot = (slot + 1) & state.pointee.slotMask
        }
    }

    /// The string with id `id`, invalid UTF-8 repaired.
    func string(at id: Int) -> String {
        String(decoding: key(of: id), as: UTF8.self)
    }

    private func key(of id: Int) -> UnsafeBufferPointer<UInt8> {
        let start = state.pointee.offsets[id]
        return UnsafeBufferPointer(start: state.pointee.arena + start, count: state.pointee.offsets[id + 1] - start)
    }

    /// A slot's tag: the top bit set (so never 0), 23 bits of `hash`, and the key length up to 255.
    @inline(__always)
    private static func tag(hash: UInt64, length: Int) -> UInt32 {
        1 << 31 | UInt32(truncatingIfNeeded: hash >> 41) << 8 | UInt32(min(length, 255))
    }

    /// The bytes of a key of at most 8 bytes as one zero-padded word.
    @inline(__always)
    private static func packed(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var word: UInt64 = 0
        for index in bytes.indices { word |= UInt64(bytes[index]) << (8 * UInt64(index)) }
        return word
    }

    /// `count` empty slots (all bits zero: tag 0), in memory to be released with `free`.
    private static func emptySlots(_ count: Int) -> UnsafeMutablePointer<Slot> {
        let bytes = count * MemoryLayout<Slot>.stride
        let hugePage = 2 << 20
        var memory: UnsafeMutableRawPointer?
        guard posix_memalign(&memory, bytes >= hugePage ? hugePage : 64, bytes) == 0, let memory else {
            fatalError("out of memory for \(count) id table slots")
        }
        #if os(Linux)
        if bytes >= hugePage { _ = madvise(memory, bytes, MADV_HUGEPAGE) }
        #endif
        memset(memory, 0, bytes)
        return memory.bindMemory(to: Slot.self, capacity: count)
    }

    private func insert(
        _ bytes: UnsafeBufferPointer<UInt8>, tag: UInt32, key packed: UInt64, training: Bool, slot: Int
    ) -> Int32 {
        let id = state.pointee.count
        if id == state.pointee.idCapacity { growIDs() }
        if state.pointee.arenaCount + bytes.count > state.pointee.arenaCapacity { growArena(toHold: bytes.count) }
        let offset = state.pointee.arenaCount
        state.pointee.slots[slot] = Slot(
            tag: tag, id: Int32(id), key: bytes.count <= Self.inlineBytes ? packed : UInt64(offset),
            trainingCount: training ? 1 : 0)
        if let source = bytes.baseAddress {
            (state.pointee.arena + offset).update(from: source, count: bytes.count)
        }
        state.pointee.arenaCount += bytes.count
        state.pointee.offsets[id + 1] = state.pointee.arenaCount
        state.pointee.count = id + 1
        if state.pointee.count * 2 > state.pointee.slotMask { growSlots() }
        return Int32(id)
    }

    @inline(__always)
    private func arenaKeyEquals(_ entry: Slot, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if bytes.count >= 255 && key(of: Int(entry.id)).count != bytes.count { return false }
        let key = state.pointee.arena + Int(entry.key)
        for index in bytes.indices where key[index] != bytes[index] { return false }
        return true
    }

    private func growIDs() {
        let capacity = state.pointee.idCapacity * 2
        let offsets = UnsafeMutablePointer<Int>.allocate(capacity: capacity + 1)
        offsets.update(from: state.pointee.offsets, count: state.pointee.count + 1)
        state.pointee.offsets.deallocate()
        state.pointee.offsets = offsets
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

    /// Doubles the slot array, placing every key again by its hash, recomputed from the arena.
    private func growSlots() {
        let oldCount = state.pointee.slotMask + 1
        let oldSlots = state.pointee.slots
        let newCount = oldCount * 2
        let slots = Self.emptySlots(newCount)
        let mask = newCount - 1
        for old in 0..<oldCount where oldSlots[old].tag != 0 {
            let hash = Checksum.of(UnsafeRawBufferPointer(key(of: Int(oldSlots[old].id))))
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot].tag != 0 { slot = (slot + 1) & mask }
            slots[slot] = oldSlots[old]
        }
        free(oldSlots)
        state.pointee.slots = slots
        state.pointee.slotMask = mask
    }
}
