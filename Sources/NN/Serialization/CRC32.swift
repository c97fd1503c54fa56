/// The CRC-32 checksum of zlib, PNG and gzip (reflected polynomial 0xEDB88320), computed
/// eight bytes at a time ("slicing by 8").
struct CRC32 {
    /// The checksum of the bytes seen so far.
    var value: UInt32 { ~register }
    private var register: UInt32 = 0xFFFF_FFFF

    /// Extends the checksum over `bytes`.
    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var crc = register
        var i = 0
        let n = bytes.count
        Self.tables.withUnsafeBufferPointer { table in
            while i + 8 <= n {
                let low = bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self).littleEndian ^ crc
                let high = bytes.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self).littleEndian
                crc = table[7 * 256 + Int(low & 0xFF)] ^ table[6 * 256 + Int((low >> 8) & 0xFF)]
                    ^ table[5 * 256 + Int((low >> 16) & 0xFF)] ^ table[4 * 256 + Int(low >> 24)]
                    ^ table[3 * 256 + Int(high & 0xFF)] ^ table[2 * 256 + Int((high >> 8) & 0xFF)]
                    ^ table[1 * 256 + Int((high >> 16) & 0xFF)] ^ table[Int(high >> 24)]
                i += 8
            }
            while i < n {
                crc = table[Int((crc ^ UInt32(bytes[i])) & 0xFF)] ^ (crc >> 8)
                i += 1
            }
        }
        register = crc
    }

    /// Table `k` (entries `256k ..< 256(k+1)`) advances the register over a byte followed by `k` zero bytes.
    private static let tables: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 8 * 256)
        for byte in 0..<256 {
            var crc = UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
            table[byte] = crc
        }
        for k in 1..<8 {
            for byte in 0..<256 {
                let previous = table[(k - 1) * 256 + byte]
                table[k * 256 + byte] = table[Int(previous & 0xFF)] ^ (previous >> 8)
            }
        }
        return table
    }()
}
