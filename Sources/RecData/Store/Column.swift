/// A read-only, contiguous array of values held in memory or in a memory-mapped store file.
///
/// Values produced in memory (for example by a synthetic generator) and values loaded from the dataset
/// store look the same to batching and models.
public struct Column<Element: BitwiseCopyable & Sendable>: Sendable {
    private enum Backing: Sendable {
        case array([Element])
        case mapped(MappedFile)
    }

    private let backing: Backing
    /// The number of values.
    public let count: Int

    /// A column holding `values`.
    public init(_ values: [Element]) {
        backing = .array(values)
        count = values.count
    }

    /// A column viewing the whole of a mapped file.
    public init(mapped file: MappedFile) {
        backing = .mapped(file)
        count = file.buffer(of: Element.self).count
    }

    /// Calls `body` with the values as a buffer.
    @inline(__always)
    public func withUnsafeBufferPointer<Result>(_ body: (UnsafeBufferPointer<Element>) throws -> Result) rethrows -> Result {
        switch backing {
        case let .array(values):
            return try values.withUnsafeBufferPointer(body)
        case let .mapped(file):
            return try body(file.buffer(of: Element.self))
        }
    }

    /// The value at `index`.
    public subscript(index: Int) -> Element {
        precondition(index >= 0 && index < count, "column index \(index) out of range 0..<\(count)")
        return withUnsafeBufferPointer { $0[index] }
    }

    /// The values copied into an array.
    public var array: [Element] {
        withUnsafeBufferPointer { Array($0) }
    }
}
