/// Categorical ids held in the narrowest integer type that holds them all: one byte each when
/// every id is below 256 (every field of Census-Income), two below 65,536, four otherwise.
///
/// Batches widen the ids to `Int32` as they copy rows, so the narrow form only saves memory:
/// a quarter of the resident data, and of the store's files, for small vocabularies.
public struct IDColumn: Sendable {
    /// The bytes each id takes.
    public enum Width: Int, Sendable, CaseIterable {
        case one = 1, two = 2, four = 4

        /// The narrowest width holding every id of `ids`: four for any negative id, one for none.
        public init<IDs: Sequence<Int32>>(holding ids: IDs) {
            var (low, high) = (Int32(0), Int32(0))
            for id in ids { (low, high) = (min(low, id), max(high, id)) }
            if low < 0 { self = .four }
            else if high <= Int32(UInt8.max) { self = .one }
            else if high <= Int32(UInt16.max) { self = .two }
            else { self = .four }
        }
    }

    private enum Storage: Sendable {
        case one(Column<UInt8>)
        case two(Column<UInt16>)
        case four(Column<Int32>)
    }

    private let storage: Storage
    /// The number of ids.
    public let count: Int

    /// The ids of `values`, narrowed to the width that holds them.
    public init(_ values: [Int32]) {
        switch Width(holding: values) {
        case .one: storage = .one(Column(values.map { UInt8(truncatingIfNeeded: $0) }))
        case .two: storage = .two(Column(values.map { UInt16(truncatingIfNeeded: $0) }))
        case .four: storage = .four(Column(values))
        }
        count = values.count
    }

    /// The ids of a mapped store file whose ids take `width` bytes each.
    init(mapped file: MappedFile, width: Width) {
        switch width {
        case .one: storage = .one(Column(mapped: file))
        case .two: storage = .two(Column(mapped: file))
        case .four: storage = .four(Column(mapped: file))
        }
        count = file.count / width.rawValue
    }

    /// The bytes each id takes.
    public var width: Width {
        switch storage {
        case .one: .one
        case .two: .two
        case .four: .four
        }
    }

    /// The ids widened into an array.
    public var array: [Int32] {
        [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { copy(rows: CollectionOfOne(0), width: count, into: buffer.baseAddress!) }
            initialized = count
        }
    }

    /// Copies rows `rows` of `width` ids each, widened to `Int32`, one after another into `target`.
    func copy<Rows: Collection<Int32>>(rows: Rows, width: Int, into target: UnsafeMutablePointer<Int32>) {
        guard width > 0 else { return }
        switch storage {
        case let .one(column): Self.copy(column, rows: rows, width: width, into: target)
        case let .two(column): Self.copy(column, rows: rows, width: width, into: target)
        case let .four(column): Self.copy(column, rows: rows, width: width, into: target)
        }
    }

    private static func copy<Element: BinaryInteger, Rows: Collection<Int32>>(
        _ column: Column<Element>, rows: Rows, width: Int, into target: UnsafeMutablePointer<Int32>
    ) {
        column.withUnsafeBufferPointer { source in
            var to = target
            for row in rows {
                let from = source.baseAddress! + Int(row) * width
                for j in 0..<width { to[j] = Int32(truncatingIfNeeded: from[j]) }
                to += width
            }
        }
    }

    /// The ids as the bytes of a store file (little-endian, `width` bytes each).
    func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        switch storage {
        case let .one(column): try column.withUnsafeBufferPointer { try body(UnsafeRawBufferPointer($0)) }
        case let .two(column): try column.withUnsafeBufferPointer { try body(UnsafeRawBufferPointer($0)) }
        case let .four(column): try column.withUnsafeBufferPointer { try body(UnsafeRawBufferPointer($0)) }
        }
    }
}
