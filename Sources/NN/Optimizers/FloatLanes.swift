/// The arithmetic of the update rules, shared by `Float` and `SIMD16<Float>` so that a rule is
/// written once and runs sixteen lanes at a time with a scalar tail.
///
/// Both types round every operation as IEEE 754 prescribes, so an element gets the same bits
/// whether it falls in a vector or in the tail.
protocol FloatLanes {
    /// Every lane equal to `value`.
    init(broadcast value: Float)
    /// The lanes stored at `pointer` (no alignment needed).
    static func load(_ pointer: UnsafePointer<Float>) -> Self
    /// Stores the lanes at `pointer`.
    func store(_ pointer: UnsafeMutablePointer<Float>)
    static func + (lhs: Self, rhs: Self) -> Self
    static func - (lhs: Self, rhs: Self) -> Self
    static func * (lhs: Self, rhs: Self) -> Self
    static func / (lhs: Self, rhs: Self) -> Self
    func squareRoot() -> Self
}

extension Float: FloatLanes {
    @inline(__always) init(broadcast value: Float) { self = value }
    @inline(__always) static func load(_ pointer: UnsafePointer<Float>) -> Float { pointer.pointee }
    @inline(__always) func store(_ pointer: UnsafeMutablePointer<Float>) { pointer.pointee = self }
}

extension SIMD16<Float>: FloatLanes {
    @inline(__always) init(broadcast value: Float) { self.init(repeating: value) }

    @inline(__always) static func load(_ pointer: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inline(__always) func store(_ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: self, as: SIMD16<Float>.self)
    }
}
