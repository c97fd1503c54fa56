import Foundation

/// Rewrites a split's files in place, through writable memory mappings, from provisional codes and raw
/// numbers into final vocabulary ids and transformed values, then narrows the categorical ids to the
/// fewest bytes that hold them. Each rewrite runs on all cores.
struct StoreFinalizer {
    let plan: EncodingPlan
    let remaps: [[Int32]]
    let transforms: [NumericTransform]

    func rewrite(splitDirectory directory: String) throws {
        let codesPath = directory + "/" + StoreLayout.categorical(.four)
        let categoricalFile = try MappedFile(path: codesPath, writable: true)
        let categoricalRemaps = plan.categorical.map { remaps[$0.vocabulary] }
        let ids = categoricalFile.mutableBuffer(of: Int32.self)
        rewriteRowMajor(ids, width: categoricalRemaps.count) { column, code in
            categoricalRemaps[column][Int(code)]
        }
        try narrow(UnsafeBufferPointer(ids), replacing: codesPath, in: directory)
        let numericFile = try MappedFile(path: directory + "/" + StoreLayout.numeric, writable: true)
        rewriteRowMajor(numericFile.mutableBuffer(of: Float.self), width: transforms.count) { column, value in
            transforms[column].apply(Double(value))
        }
        for (index, sequence) in plan.sequences.enumerated() {
            let valuesFile = try MappedFile(path: directory + "/" + StoreLayout.sequenceValues(index), writable: true)
            let remap = remaps[sequence.vocabulary]
            rewriteRowMajor(valuesFile.mutableBuffer(of: Int32.self), width: 1) { _, code in remap[Int(code)] }
        }
    }

    /// Writes `ids` (the contents of the file at `path`) at the narrowest width holding them and
    /// removes `path`, unless four bytes are needed.
    private func narrow(_ ids: UnsafeBufferPointer<Int32>, replacing path: String, in directory: String) throws {
        let width = IDColumn.Width(holding: ids)
        func write<Narrow: FixedWidthInteger & BitwiseCopyable>(_: Narrow.Type) throws {
            let writer = try ColumnFileWriter<Narrow>(path: directory + "/" + StoreLayout.categorical(width))
            for id in ids { try writer.append(Narrow(truncatingIfNeeded: id)) }
            try writer.flush()
        }
        switch width {
        case .one: try write(UInt8.self)
        case .two: try write(UInt16.self)
        case .four: return
        }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw DataError.io(path: path, reason: "cannot remove the provisional codes (\(error.localizedDescription))")
        }
    }

    /// Replaces every value of a row-major table of `width` columns by `transform(column, value)`, in
    /// parts of whole rows on all cores (the remaps' random reads are the cost).
    private func rewriteRowMajor<Element>(
        _ values: UnsafeMutableBufferPointer<Element>, width: Int, _ transform: @Sendable (Int, Element) -> Element
    ) {
        guard width > 0, let base = values.baseAddress else { return }
        let rows = values.count / width
        let parts = min(max(1, rows / 65_536), 4 * ProcessInfo.processInfo.activeProcessorCount)
        let start = UncheckedPointer(base)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let first = rows * part / parts, end = rows * (part + 1) / parts
            let values = start.pointer
            for row in first..<end {
                for column in 0..<width {
                    values[row * width + column] = transform(column, values[row * width + column])
                }
            }
        }
    }
}

/// A table shared by the parts of a parallel rewrite, each writing only its own rows.
private struct UncheckedPointer<Element>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Element>
    init(_ pointer: UnsafeMutablePointer<Element>) { self.pointer = pointer }
}
