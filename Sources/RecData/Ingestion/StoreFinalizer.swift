/// Rewrites a split's files in place, through writable memory mappings, from provisional codes and raw
/// numbers into final vocabulary ids and transformed values.
struct StoreFinalizer {
    let plan: EncodingPlan
    let remaps: [[Int32]]
    let transforms: [NumericTransform]

    func rewrite(splitDirectory directory: String) throws {
        let categoricalFile = try MappedFile(path: directory + "/" + StoreLayout.categorical, writable: true)
        let categoricalRemaps = plan.categorical.map { remaps[$0.vocabulary] }
        rewriteRowMajor(categoricalFile.mutableBuffer(of: Int32.self), width: categoricalRemaps.count) { column, code in
            categoricalRemaps[column][Int(code)]
        }
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

    private func rewriteRowMajor<Element>(
        _ values: UnsafeMutableBufferPointer<Element>, width: Int, _ transform: (Int, Element) -> Element
    ) {
        guard width > 0 else { return }
        var column = 0
        for index in values.indices {
            values[index] = transform(column, values[index])
            column += 1
            if column == width { column = 0 }
        }
    }
}
