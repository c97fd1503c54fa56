import Foundation
import Randomness

/// Writes an event log shaped like Taobao UserBehavior (`user,item,category,behaviour,time`, no
/// header, in time order) at any size, for ingestion and training at the scale of real logs.
///
/// Users and items are drawn with power-law skew — a few heavy users and best-selling items,
/// long tails of both — and each item belongs to one category, itself power-law popular. Page
/// views dominate as in the real log (89.5 % `pv`, 5.5 % `cart`, 2.9 % `fav`, 2.1 % `buy`), and a
/// cart, fav or buy is mostly of an item the user viewed shortly before, so the log's
/// later-behaviour labels are learnable. The events span 25 Nov – 3 Dec 2017 (China time), as the
/// real log does, so the Taobao schema's validation and test days apply unchanged.
public struct EventLogGenerator: Sendable {
    /// The generator's settings.
    public struct Config: Sendable, Equatable {
        /// Events to write.
        public var events = 1_000_000
        /// Distinct users (default: one per 100 events, as in the real log).
        public var users: Int?
        /// Distinct items (default: one per 25 events).
        public var items: Int?
        /// Distinct categories.
        public var categories = 9_439
        /// The seed.
        public var seed: UInt64 = 1

        /// The defaults.
        public init() {}

        /// The users drawn from.
        public var userCount: Int { users ?? max(1, events / 100) }
        /// The items drawn from.
        public var itemCount: Int { items ?? max(1, events / 25) }
    }

    /// What was written.
    public struct Summary: Sendable, Equatable {
        /// Events per behaviour: `pv`, `cart`, `fav`, `buy`.
        public var behaviours: [String: Int]
        /// Bytes written.
        public var bytes: Int
    }

    /// The behaviours and their shares of the events.
    static let behaviours: [(name: String, share: Double)] = [("pv", 0.895), ("cart", 0.055), ("fav", 0.029), ("buy", 0.021)]
    /// 25 Nov 2017 00:00 China time, and nine days.
    static let start = 1_511_539_200, span = 9 * 86_400
    /// Recent views kept per user, from which carts, favs and buys mostly come.
    static let recentViews = 4

    /// The settings.
    public let config: Config

    /// A generator with `config`.
    public init(config: Config) throws {
        guard config.events >= 1, config.userCount >= 1, config.itemCount >= 1, config.categories >= 1 else {
            throw DataError.invalidRequest("generate-events: events, users, items and categories must be positive")
        }
        self.config = config
    }

    /// Writes the log to `path` (atomically: a temporary file renamed at the end), calling
    /// `progress` with the events written every million events.
    public func write(to path: String, progress: (Int) -> Void = { _ in }) throws -> Summary {
        let temporary = path + ".partial-\(getpid())"
        guard let file = fopen(temporary, "w") else {
            throw DataError.io(path: path, reason: "cannot create: \(String(cString: strerror(errno)))")
        }
        var closed = false
        defer { if !closed { fclose(file); unlink(temporary) } }
        let (users, items) = (config.userCount, config.itemCount)
        var generator = SplitMix64(seed: SplitMix64.scramble(config.seed))
        var recent = [Int32](repeating: -1, count: users * Self.recentViews)
        var counts = [Int](repeating: 0, count: Self.behaviours.count)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 23)
        let thresholds = Self.behaviours.indices.map { k in Self.behaviours[...k].reduce(0) { $0 + $1.share } }
        for event in 0..<config.events {
            let user = Self.powerLaw(users, exponent: 2, &generator)
            let draw = Double(generator.next() >> 11) / Double(1 << 53)
            let behaviour = thresholds.firstIndex { draw < $0 } ?? 0
            var item = Int32(Self.powerLaw(items, exponent: 3, &generator))
            let slots = user * Self.recentViews
            if behaviour == 0 {
                recent[slots + Int(generator.next() % UInt64(Self.recentViews))] = item
            } else if generator.next() % 10 < 8 {
                let viewed = recent[slots + Int(generator.next() % UInt64(Self.recentViews))]
                if viewed >= 0 { item = viewed }
            }
            counts[behaviour] += 1
            let time = Self.start + Int(Double(event) * Double(Self.span) / Double(config.events))
            Self.append(user + 1, to: &buffer)
            buffer.append(44)
            Self.append(Int(item) + 1, to: &buffer)
            buffer.append(44)
            Self.append(category(ofItem: Int(item)) + 1, to: &buffer)
            buffer.append(44)
            buffer.append(contentsOf: Self.behaviours[behaviour].name.utf8)
            buffer.append(44)
            Self.append(time, to: &buffer)
            buffer.append(10)
            if buffer.count >= 1 << 22 { try flush(&buffer, to: file, path: temporary) }
            if (event + 1) % 1_000_000 == 0 { progress(event + 1) }
        }
        try flush(&buffer, to: file, path: temporary)
        let bytes = Int(ftell(file))
        closed = true
        guard fclose(file) == 0, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw DataError.io(path: path, reason: "cannot write: \(String(cString: strerror(errno)))")
        }
        return Summary(behaviours: Dictionary(uniqueKeysWithValues: zip(Self.behaviours.map(\.name), counts)), bytes: bytes)
    }

    /// Item `item`'s category: a fixed, power-law popular draw from the item's id.
    func category(ofItem item: Int) -> Int {
        let u = Double(SplitMix64.scramble(UInt64(item) &+ config.seed) >> 11) / Double(1 << 53)
        return min(config.categories - 1, Int(Double(config.categories) * u * u))
    }

    /// An index in `0 ..< n` whose density falls as a power of the index (`exponent` > 1: more skewed).
    static func powerLaw(_ n: Int, exponent: Double, _ generator: inout SplitMix64) -> Int {
        let u = Double(generator.next() >> 11) / Double(1 << 53)
        return min(n - 1, Int(Double(n) * pow(u, exponent)))
    }

    /// Appends the decimal digits of `value` (not negative).
    private static func append(_ value: Int, to buffer: inout [UInt8]) {
        var divisor = 1
        while divisor <= value / 10 { divisor *= 10 }
        var v = value
        while divisor > 0 {
            buffer.append(UInt8(48 + v / divisor))
            v %= divisor
            divisor /= 10
        }
    }

    private func flush(_ buffer: inout [UInt8], to file: UnsafeMutablePointer<FILE>, path: String) throws {
        let written = buffer.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        guard written == buffer.count else {
            throw DataError.io(path: path, reason: "cannot write: \(String(cString: strerror(errno)))")
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
