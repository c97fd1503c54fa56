import Models
import RecData

/// Turns the inputs of a KServe v2 infer request into model rows, in one of two forms told
/// apart by their datatypes:
///
/// - tensors (no input `BYTES`): the model's own inputs, as ``ModelSignature`` names them —
///   ids `INT64 [N]`, transformed numbers `FP32 [N]`, sequences `INT64 [N, length]`
///   left-padded with 0 — every one of them present;
/// - raw rows (every input `BYTES`): one tensor `BYTES [N]` per feature column, each value
///   the original text as a CSV file carries it (a sequence as its separator-joined items),
///   encoded with the checkpoint's vocabularies and transforms as `POST /v1/score` encodes
///   instances; an absent feature takes its default, an unknown one follows
///   ``ServingConfiguration/unknownFields``.
///
/// Mixing the two, shapes that disagree with the data or the model, and values the model
/// cannot take are refused with a 400 naming the input (and the row).
enum InferenceInputs {
    /// The rows of `request`'s inputs for `model`, at most `maxInstances` of them.
    static func rows(of request: InferenceRequest, model: ServedModel, maxInstances: Int) throws(ServingError) -> [EncodedRow] {
        let inputs = request.inputs
        guard let first = inputs.first else { throw .badRequest("the request has no inputs") }
        var seen = Set<String>()
        for input in inputs {
            guard seen.insert(input.name).inserted else { throw .badRequest("input '\(input.name)' is given twice") }
            guard let batch = input.shape.first, input.shape.allSatisfy({ $0 >= 0 }) else {
                throw .badRequest("input '\(input.name)' has shape \(text(input.shape)); expected [N, …] with N ≥ 0")
            }
            let expected = input.shape.reduce(1, *)
            guard input.data.count == expected else {
                throw .badRequest("input '\(input.name)' has \(input.data.count) values; its shape \(text(input.shape)) needs \(expected)")
            }
            guard batch == first.shape.first else {
                throw .badRequest("input '\(input.name)' has \(batch) rows but input '\(first.name)' has \(first.shape.first ?? 0)")
            }
        }
        let batchSize = first.shape[0]
        guard batchSize <= maxInstances else {
            throw .tooLarge("\(batchSize) rows, more than the limit of \(maxInstances) per request")
        }
        let raw = inputs.filter { $0.datatype == "BYTES" }
        if raw.isEmpty { return try tensorRows(inputs, batchSize: batchSize, model: model) }
        guard raw.count == inputs.count else {
            let tensor = inputs.first { $0.datatype != "BYTES" }!
            throw .badRequest("input '\(raw[0].name)' is BYTES but input '\(tensor.name)' is \(tensor.datatype); "
                + "send either raw rows (every input BYTES) or the model's tensors (none BYTES)")
        }
        return try rawRows(inputs, batchSize: batchSize, model: model)
    }

    /// Rows from the model's tensors, checked by the model's signature.
    private static func tensorRows(_ inputs: [InferenceRequest.Input], batchSize: Int, model: ServedModel) throws(ServingError) -> [EncodedRow] {
        let signature = model.signature
        var tensors: [String: ModelSignature.Values] = [:]
        for input in inputs {
            guard let spec = signature.inputs.first(where: { $0.name == input.name }) else {
                throw .badRequest("unknown input '\(input.name)'; the inputs are \(signature.inputs.map(\.name).joined(separator: ", "))")
            }
            guard input.datatype == spec.dataType.rawValue else {
                throw .badRequest("input '\(input.name)' has datatype \(input.datatype); the model takes \(spec.dataType.rawValue)")
            }
            guard input.shape.count == spec.shape.count, input.shape.dropFirst().elementsEqual(spec.shape.dropFirst()) else {
                throw .badRequest("input '\(input.name)' has shape \(text(input.shape)); the model takes \(text(spec.shape))")
            }
            switch input.data {
            case .int64(let values): tensors[input.name] = .int64(values)
            case .float32(let values): tensors[input.name] = .float32(values.map(Float.init))
            case .bytes: throw .badRequest("input '\(input.name)' is BYTES")
            }
        }
        let batch: ModelBatch
        do {
            batch = try signature.batch(from: tensors, batchSize: batchSize, layout: model.layout)
        } catch {
            throw .badRequest(error.description)
        }
        return rows(of: batch, layout: model.layout)
    }

    /// The rows of a batch, each sequence kept at its padded length (padding ids are 0, the
    /// missing id, so the model reads the row exactly as the batch gives it).
    private static func rows(of batch: ModelBatch, layout: FeatureLayout) -> [EncodedRow] {
        let (categorical, numeric) = (layout.categorical.count, layout.numeric.count)
        let numbers = batch.numeric.values
        return (0..<batch.size).map { row in
            EncodedRow(
                categorical: Array(batch.categorical[row * categorical ..< (row + 1) * categorical]),
                numeric: Array(numbers[row * numeric ..< (row + 1) * numeric]),
                sequences: zip(batch.sequences, layout.sequences).map { ids, sequence in
                    Array(ids[row * sequence.length ..< (row + 1) * sequence.length])
                })
        }
    }

    /// Rows from raw feature columns, encoded as `/v1/score` encodes instances.
    private static func rawRows(_ inputs: [InferenceRequest.Input], batchSize: Int, model: ServedModel) throws(ServingError) -> [EncodedRow] {
        var instances = [[String: RawValue]](repeating: [:], count: batchSize)
        for input in inputs {
            guard input.shape.count == 1 else {
                throw .badRequest("raw input '\(input.name)' has shape \(text(input.shape)); raw feature columns are BYTES [N]")
            }
            guard case .bytes(let values) = input.data else { continue }
            for (row, value) in values.enumerated() { instances[row][input.name] = .string(value) }
        }
        do {
            return try model.instances.encode(instances)
        } catch {
            throw .badRequest(error.message)
        }
    }

    private static func text(_ shape: [Int]) -> String {
        "[" + shape.map(String.init).joined(separator: ", ") + "]"
    }
}
