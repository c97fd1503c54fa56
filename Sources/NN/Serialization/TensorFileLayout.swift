/// The constants of the tensor file layout described at ``TensorFile``.
enum TensorFileLayout {
    static let signature: [UInt8] = Array("DTRNTENS".utf8)
    static let version: UInt32 = 1
    static let headerSize = 32
    /// The element type of every stored tensor.
    static let elementType = "float32"
}

/// The header fields after the signature.
struct TensorFileHeader {
    var version: UInt32
    var indexChecksum: UInt32
    var dataChecksum: UInt32
    var indexLength: Int
    var dataLength: Int

    /// The header's bytes, signature included.
    var bytes: [UInt8] {
        var bytes = TensorFileLayout.signature
        func append<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
        append(version)
        append(indexChecksum)
        append(dataChecksum)
        append(UInt32(indexLength))
        append(UInt64(dataLength))
        return bytes
    }

    /// The header at the start of `file` (at least ``TensorFileLayout/headerSize`` bytes), or nil
    /// when the signature is wrong. A data length beyond any real file is capped at 2⁶² so that
    /// size arithmetic cannot overflow.
    static func read(from file: UnsafeRawBufferPointer) -> TensorFileHeader? {
        guard file.prefix(8).elementsEqual(TensorFileLayout.signature) else { return nil }
        func field<T: FixedWidthInteger>(_ offset: Int, _: T.Type) -> T {
            T(littleEndian: file.loadUnaligned(fromByteOffset: offset, as: T.self))
        }
        return TensorFileHeader(
            version: field(8, UInt32.self),
            indexChecksum: field(12, UInt32.self),
            dataChecksum: field(16, UInt32.self),
            indexLength: Int(field(20, UInt32.self)),
            dataLength: Int(min(field(24, UInt64.self), 1 << 62)))
    }
}

/// The JSON index of a tensor file: free-form string metadata and, for each tensor, where its
/// elements lie in the data section.
struct TensorFileIndex: Codable, Equatable {
    /// One stored tensor.
    struct Record: Codable, Equatable {
        var name: String
        var shape: [Int]
        /// Always ``TensorFileLayout/elementType``.
        var dtype: String
        /// The byte offset of the first element from the start of the data section.
        var offset: Int
    }

    var metadata: [String: String]
    var tensors: [Record]
}

#if !_endian(little)
#error("Tensor files store little-endian Float32 elements by copying memory: a little-endian host is required.")
#endif
