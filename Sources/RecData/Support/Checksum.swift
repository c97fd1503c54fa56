/// A fast 64-bit content hash for manifests and schema fingerprints (not cryptographic).
///
/// Mixes eight bytes at a time, so hashing a mapped column file costs far less than reading it from disk.
public enum Checksum {
    /// The hash of `bytes`.
    @inline(__always)
    public static func of(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        let words = bytes.count / 8
        var offset = 0
        for _ in 0..<words {
            hash = mix(hash, bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
        }
        var tail: UInt64 = 0
        for index in offset..<bytes.count {
            tail = tail << 8 | UInt64(bytes[index])
        }
        return finalize(mix(hash, tail))
    }

    @inline(__always) static func mix(_ hash: UInt64, _ word: UInt64) -> UInt64 {
        let product = (hash ^ word) &* 0xFF51_AFD7_ED55_8CCD
        return product ^ (product >> 29)
    }

    @inline(__always) static func finalize(_ hash: UInt64) -> UInt64 {
        var z = hash
        z = (z ^ (z >> 33)) &* 0xC4CE_B9FE_1A85_EC53
        return z ^ (z >> 33)
    }
}
