/// A short list of byte strings (missing-value markers, behaviour names, positive label values)
/// laid out in one flat buffer, so that finding a field among them reference-counts nothing.
struct ByteStringList {
    private let bytes: [UInt8]
    private let ranges: [Range<Int>]

    /// The UTF-8 bytes of `strings`, in order.
    init(_ strings: [String]) {
        var bytes: [UInt8] = []
        ranges = strings.map { string in
            let start = bytes.count
            bytes += string.utf8
            return start..<bytes.count
        }
        self.bytes = bytes
    }

    /// The position of the first string equal to `value`, if any.
    @inline(__always)
    func firstIndex(of value: UnsafeBufferPointer<UInt8>) -> Int? {
        bytes.withUnsafeBufferPointer { bytes in
            for (index, range) in ranges.enumerated() where range.count == value.count {
                if memoryEquals(UnsafeBufferPointer(rebasing: bytes[range]), value) { return index }
            }
            return nil
        }
    }

    /// Whether one of the strings equals `value`.
    @inline(__always)
    func contains(_ value: UnsafeBufferPointer<UInt8>) -> Bool { firstIndex(of: value) != nil }
}
