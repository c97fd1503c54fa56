/// The one rule by which a raw value loses the whitespace around it, shared by every path that
/// encodes values: CSV/TSV ingestion (each unquoted field, each item of a list field), and the
/// encoder of single rows behind `dtrn predict` and the server (``FeatureEncoder``). Under a
/// format with `trimWhitespace`, `" Private"` and `"Private"` are therefore one value wherever
/// they arrive; the spaces and tabs at either end are dropped, inner ones are kept.
public enum ValueTrimming {
    /// Whether `byte` is whitespace the rule drops: a space or a tab.
    @inline(__always)
    static func isTrimmed(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09
    }

    /// The part of `range` of `bytes` left once leading and trailing spaces and tabs are dropped.
    @inline(__always)
    static func trimmed(_ bytes: UnsafePointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
        var first = range.lowerBound
        var last = range.upperBound
        while first < last && isTrimmed(bytes[first]) { first += 1 }
        while last > first && isTrimmed(bytes[last - 1]) { last -= 1 }
        return first..<last
    }

    /// `text` without leading and trailing spaces and tabs.
    public static func trimmed(_ text: String) -> String {
        var utf8 = Array(text.utf8)
        let kept = utf8.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { trimmed($0, 0..<buffer.count) } ?? 0..<0
        }
        if kept.count == utf8.count { return text }
        utf8 = Array(utf8[kept])
        return String(decoding: utf8, as: UTF8.self)
    }
}
