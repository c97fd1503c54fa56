/// Interns byte strings to dense ids (0, 1, 2, … in order of first appearance) without creating `String`s.
///
/// Open addressing with linear probing over a power-of-two slot array; keys live in one byte arena.
/// This is the hot path of ingestion: a field's bytes are hashed eight at a time and compared with
/// `memcmp`-like loops only on a hash match.
final class ByteStringTable {
    private var slots: UnsafeMutablePointer<Int32>
    private var slotHashes: UnsafeMutablePointer<UInt64>
    private var slotMask: Int
    private var arena: [UInt8] = []
    private var offsets: [Int] = [0]

    /// The number of distinct strings interned.
    private(set) var count = 0

    /// An empty table.
    init() {
        let slotCount = 1024
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: -1, count: slotCount)
        slotHashes = .allocate(capacity: slotCount)
        slotHashes.initialize(repeating: 0, count: slotCount)
        slotMask = slotCount - 1
        arena.reserveCapacity(1 << 14)
    }

    deinit {
        slots.deallocate()
        slotHashes.deallocate()
    }

    /// The id of `bytes`, adding it when new.
    @inline(__always)
    func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        let hash = Self.hash(bytes)
        var slot = Int(truncatingIfNeeded: hash) & slotMask
        while true {
            let id = slots[slot]
            if id < 0 { return insert(bytes, hash: hash, slot: slot) }
            if slotHashes[slot] == hash && keyEquals(Int(id), bytes) { return id }
            slot = (slot + 1) & slotMask
        }
    }

    /// The id of `bytes`, or nil when it was never interned.
    func lookup(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
        let hash = Self.hash(bytes)
        var slot = Int(truncatingIfNeeded: hash) & slotMask
        while true {
            let id = slots[slot]
            if id < 0 { return nil }
            if slotHashes[slot] == hash && keyEquals(Int(id), bytes) { return id }
            slot = (slot + 1) & slotMask
        }
    }

    /// The string with id `id`, invalid UTF-8 repaired.
    func string(at id: Int) -> String {
        arena.withUnsafeBufferPointer { arena in
            String(decoding: UnsafeBufferPointer(rebasing: arena[offsets[id]..<offsets[id + 1]]), as: UTF8.self)
        }
    }

    private func insert(_ bytes: UnsafeBufferPointer<UInt8>, hash: UInt64, slot: Int) -> Int32 {
        let id = Int32(count)
        slots[slot] = id
        slotHashes[slot] = hash
        arena.append(contentsOf: bytes)
        offsets.append(arena.count)
        count += 1
        if count * 2 > slotMask { grow() }
        return id
    }

    @inline(__always)
    private func keyEquals(_ id: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = offsets[id]
        let length = offsets[id + 1] - start
        if length != bytes.count { return false }
        return arena.withUnsafeBufferPointer { arena in
            for index in 0..<length where arena[start + index] != bytes[index] { return false }
            return true
        }
    }

    private func grow() {
        let oldCount = slotMask + 1
        let oldSlots = slots
        let oldHashes = slotHashes
        let newCount = oldCount * 2
        slots = .allocate(capacity: newCount)
        slots.initialize(repeating: -1, count: newCount)
        slotHashes = .allocate(capacity: newCount)
        slotHashes.initialize(repeating: 0, count: newCount)
        slotMask = newCount - 1
        for old in 0..<oldCount where oldSlots[old] >= 0 {
            var slot = Int(truncatingIfNeeded: oldHashes[old]) & slotMask
            while slots[slot] >= 0 { slot = (slot + 1) & slotMask }
            slots[slot] = oldSlots[old]
            slotHashes[slot] = oldHashes[old]
        }
        oldSlots.deallocate()
        oldHashes.deallocate()
    }

    /// A 64-bit hash of `bytes`, eight bytes at a time.
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        guard let base = bytes.baseAddress else { return 0x51_7CC1_B727_220A }
        let raw = UnsafeRawPointer(base)
        let count = bytes.count
        var hash: UInt64 = 0x51_7CC1_B727_220A &+ UInt64(count)
        var offset = 0
        while offset + 8 <= count {
            hash = Checksum.mix(hash, raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
        }
        if offset < count {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while offset < count {
                tail |= UInt64(base[offset]) << shift
                shift += 8
                offset += 1
            }
            hash = Checksum.mix(hash, tail)
        }
        return Checksum.finalize(hash)
    }
}
