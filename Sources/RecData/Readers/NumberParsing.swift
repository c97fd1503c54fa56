#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses numbers straight from bytes, without building strings.
enum NumberParsing {
    private static let exactPowersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// The decimal number in `bytes` (`-12`, `3.5`, `1e-3`, `.5`), or nil when the bytes are not one.
    ///
    /// Up to 19 significant digits with a small exponent take an exact fast path (Clinger's); anything
    /// else falls back to `strtod` on a copy, so the result is always correctly rounded.
    static func double(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        let count = bytes.count
        if count == 0 { return nil }
        var index = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
            negative = bytes[0] == UInt8(ascii: "-")
            index = 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        var sawDigit = false
        while index < count, case let digit = bytes[index] &- 48, digit < 10 {
            if digits < 19 { mantissa = mantissa * 10 + UInt64(digit); if mantissa > 0 { digits += 1 } } else { exponent += 1 }
            sawDigit = true
            index += 1
        }
        if index < count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < count, case let digit = bytes[index] &- 48, digit < 10 {
                if digits < 19 { mantissa = mantissa * 10 + UInt64(digit); exponent -= 1; if mantissa > 0 { digits += 1 } }
                sawDigit = true
                index += 1
            }
        }
        if !sawDigit { return nil }
        if index < count && (bytes[index] | 0x20) == UInt8(ascii: "e") {
            index += 1
            var exponentNegative = false
            if index < count && (bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+")) {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            var written = 0
            var sawExponentDigit = false
            while index < count, case let digit = bytes[index] &- 48, digit < 10 {
                if written < 100_000 { written = written * 10 + Int(digit) }
                sawExponentDigit = true
                index += 1
            }
            if !sawExponentDigit { return nil }
            exponent += exponentNegative ? -written : written
        }
        if index != count { return nil }
        if digits < 19 && mantissa < (1 << 53) && abs(exponent) <= 22 {
            let magnitude = exponent >= 0
                ? Double(mantissa) * exactPowersOfTen[exponent]
                : Double(mantissa) / exactPowersOfTen[-exponent]
            return negative ? -magnitude : magnitude
        }
        return correctlyRounded(bytes)
    }

    /// What a numeric field or number label must hold, as error messages name it.
    static let storableExpectation = "a finite number (magnitude at most 3.4e38)"

    /// Whether `value` can be stored: it is finite and stays finite as a Float32, the type
    /// features and labels are kept in (so `1e999` and `1e39` are refused like `NaN` and `inf`).
    @inline(__always)
    static func isStorable(_ value: Double) -> Bool {
        abs(value) <= Double(Float.greatestFiniteMagnitude)
    }

    /// The number in `bytes` when it is one and ``isStorable(_:)``, nil otherwise.
    @inline(__always)
    static func storable(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        double(bytes).flatMap { isStorable($0) ? $0 : nil }
    }

    /// The integer in `bytes` (optional sign, decimal digits only), or nil when it is not one or overflows.
    static func int64(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var index = 0
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            index = 1
        }
        if index == bytes.count { return nil }
        var value: Int64 = 0
        while index < bytes.count {
            let digit = bytes[index] &- 48
            guard digit < 10 else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int64(digit))
            if overflow1 || overflow2 { return nil }
            value = sum
            index += 1
        }
        return negative ? -value : value
    }

    private static func correctlyRounded(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        if bytes.count > 4096 { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: bytes.count + 1) { text in
            for index in 0..<bytes.count { text[index] = CChar(bitPattern: bytes[index]) }
            text[bytes.count] = 0
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(text.baseAddress!, &end)
            return end == text.baseAddress! + bytes.count ? value : nil
        }
    }
}
