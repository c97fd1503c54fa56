/// SIMD building blocks for the elementwise kernels.
///
/// `Vec` is 16 floats: two AVX2 registers or one AVX-512 register when the release
/// build targets such a CPU.
typealias Vec = SIMD16<Float>

@inline(__always) func loadVec(_ p: UnsafePointer<Float>) -> Vec {
    UnsafeRawPointer(p).loadUnaligned(as: Vec.self)
}

@inline(__always) func storeVec(_ v: Vec, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vec.self)
}

/// `e^x` for 16 lanes: range reduction by powers of two and a degree-6 polynomial
/// (relative error below 2e-7 over the float range; saturates outside ±88).
@inline(__always) func vexp(_ x: Vec) -> Vec {
    // Masked replacement and the float-to-int bit trick below compile to vector
    // instructions; `clamped`, `pointwiseMin` and `SIMD16<Int32>(_:rounding:)` do not.
    var clamped = x.replacing(with: -87.3, where: x .< -87.3)
    clamped = clamped.replacing(with: 88.3, where: clamped .> 88.3)
    // Adding 1.5·2^23 rounds to the nearest integer and leaves it in the low mantissa bits.
    let shifted = clamped * 1.442695041 + 12_582_912
    let n = shifted - 12_582_912
    var r = clamped - n * 0.693359375
    r = r + n * 2.12194440e-4
    var p = Vec(repeating: 1.9875691500e-4)
    p = p * r + 1.3981999507e-3
    p = p * r + 8.3334519073e-3
    p = p * r + 4.1665795894e-2
    p = p * r + 1.6666665459e-1
    p = p * r + 5.0000001201e-1
    let y = p * r * r + r + 1
    let integer = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- 0x4B40_0000
    return y * unsafeBitCast((integer &+ 127) &<< 23, to: Vec.self)
}

/// Loads the `count ≤ 16` floats at `p` into the low lanes of a vector (the others 0), in
/// pieces of 8, 4 and single lanes (no library call: the rows of small layers end in such tails).
@inline(__always) func loadPartial(_ p: UnsafePointer<Float>, _ count: Int) -> Vec {
    count >= 8 ? Vec(lowHalf: load(p), highHalf: loadPartial8(p + 8, count - 8))
        : Vec(lowHalf: loadPartial8(p, count), highHalf: .zero)
}

/// Stores the low `count ≤ 16` lanes of `v` at `p`, in pieces of 8, 4 and single lanes.
@inline(__always) func storePartial(_ v: Vec, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
    if count >= 8 {
        store(v.lowHalf, p)
        storePartial8(v.highHalf, p + 8, count - 8)
    } else {
        storePartial8(v.lowHalf, p, count)
    }
}

/// The `V.scalarCount` floats at `p` (any alignment).
@inline(__always) func load<V: SIMD>(_ p: UnsafePointer<Float>) -> V where V.Scalar == Float {
    UnsafeRawPointer(p).loadUnaligned(as: V.self)
}

/// Stores `v` at `p` (any alignment).
@inline(__always) func store<V: SIMD>(_ v: V, _ p: UnsafeMutablePointer<Float>) where V.Scalar == Float {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
}

@inline(__always) private func loadPartial8(_ p: UnsafePointer<Float>, _ count: Int) -> SIMD8<Float> {
    count >= 4 ? SIMD8(lowHalf: load(p), highHalf: loadPartial4(p + 4, count - 4))
        : SIMD8(lowHalf: loadPartial4(p, count), highHalf: .zero)
}

@inline(__always) private func loadPartial4(_ p: UnsafePointer<Float>, _ count: Int) -> SIMD4<Float> {
    SIMD4(count > 0 ? p[0] : 0, count > 1 ? p[1] : 0, count > 2 ? p[2] : 0, count > 3 ? p[3] : 0)
}

@inline(__always) private func storePartial8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
    if count >= 4 {
        store(v.lowHalf, p)
        storePartial4(v.highHalf, p + 4, count - 4)
    } else {
        storePartial4(v.lowHalf, p, count)
    }
}

@inline(__always) private func storePartial4(_ v: SIMD4<Float>, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
    if count > 0 { p[0] = v[0] }
    if count > 1 { p[1] = v[1] }
    if count > 2 { p[2] = v[2] }
    if count > 3 { p[3] = v[3] }
}

/// `y[i] = f(x[i])` for `n` floats, 16 lanes at a time; the tail runs as one padded vector,
/// so a row of 20 costs two evaluations of `f`, not sixteen plus four.
@inline(__always)
func mapKernel(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, _ f: (Vec) -> Vec) {
    var i = 0
    while i + 16 <= n {
        storeVec(f(loadVec(x + i)), y + i)
        i += 16
    }
    if i < n { storePartial(f(loadPartial(x + i, n - i)), y + i, n - i) }
}

/// `y[i] = f(a[i], b[i])` for `n` floats, 16 lanes at a time with a padded tail.
@inline(__always)
func zipKernel(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int,
    _ f: (Vec, Vec) -> Vec
) {
    var i = 0
    while i + 16 <= n {
        storeVec(f(loadVec(a + i), loadVec(b + i)), y + i)
        i += 16
    }
    if i < n { storePartial(f(loadPartial(a + i, n - i), loadPartial(b + i, n - i)), y + i, n - i) }
}

/// `y[i] += x[i]` for `n` floats.
@inline(__always)
func accumulate(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, _ n: Int) {
    zipKernel(y, x, y, n, { $0 + $1 })
}

/// `y[i] += a · x[i]` for `n` floats.
@inline(__always)
func addScaled(_ x: UnsafePointer<Float>, _ a: Float, into y: UnsafeMutablePointer<Float>, _ n: Int) {
    zipKernel(y, x, y, n) { $0 + a * $1 }
}

/// The `w ≤ 16` floats at `p` in the low lanes of a vector.
@inline(__always) func columns(_ p: UnsafePointer<Float>, _ w: Int) -> Vec {
    w == 16 ? loadVec(p) : partialColumns(p, w)
}

/// Stores the low `w ≤ 16` lanes of `v` at `p`.
@inline(__always) func storeColumns(_ v: Vec, _ p: UnsafeMutablePointer<Float>, _ w: Int) {
    if w == 16 { storeVec(v, p) } else { storePartialColumns(v, p, w) }
}

// The partial cases out of line, so that the whole-vector path of the loops stays small
// enough to be inlined.
@inline(never) private func partialColumns(_ p: UnsafePointer<Float>, _ w: Int) -> Vec { loadPartial(p, w) }

@inline(never) private func storePartialColumns(_ v: Vec, _ p: UnsafeMutablePointer<Float>, _ w: Int) {
    storePartial(v, p, w)
}

/// The sum of a vector's lanes, added by halves: four dependent additions where the
/// standard library's `sum()` makes fifteen, one lane after another.
@inline(__always)
func lanesSum(_ v: Vec) -> Float {
    let eight = v.lowHalf + v.highHalf
    let four = eight.lowHalf + eight.highHalf
    let two = four.lowHalf + four.highHalf
    return two[0] + two[1]
}

/// The largest of a vector's lanes, compared by halves (by masked selection, which compiles
/// to vector instructions where `pointwiseMax` does not).
@inline(__always)
func lanesMax(_ v: Vec) -> Float {
    let (a8, b8) = (v.lowHalf, v.highHalf)
    let eight = a8.replacing(with: b8, where: b8 .> a8)
    let (a4, b4) = (eight.lowHalf, eight.highHalf)
    let four = a4.replacing(with: b4, where: b4 .> a4)
    return Swift.max(Swift.max(four[0], four[1]), Swift.max(four[2], four[3]))
}

/// The sum of `n` floats, accumulated in 16 lanes.
@inline(__always)
func sumKernel(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = Vec(repeating: 0)
    var i = 0
    while i + 16 <= n { acc += loadVec(x + i); i += 16 }
    var s = lanesSum(acc)
    while i < n { s += x[i]; i += 1 }
    return s
}

/// The dot product of `n` floats, accumulated in 16 lanes.
@inline(__always)
func dotKernel(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = Vec(repeating: 0)
    var i = 0
    while i + 16 <= n { acc += loadVec(a + i) * loadVec(b + i); i += 16 }
    var s = lanesSum(acc)
    while i < n { s += a[i] * b[i]; i += 1 }
    return s
}

/// The maximum of `n > 0` floats.
@inline(__always)
func maxKernel(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var m = x[0]
    var i = 0
    if n >= 16 {
        var acc = loadVec(x)
        i = 16
        while i + 16 <= n {
            let v = loadVec(x + i)
            acc = acc.replacing(with: v, where: v .> acc)
            i += 16
        }
        m = lanesMax(acc)
    }
    while i < n { m = Swift.max(m, x[i]); i += 1 }
    return m
}
